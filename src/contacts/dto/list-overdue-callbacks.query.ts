import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { PageQuery } from '../../common/dto/page.query.js';
import { trim } from './contact-input.util.js';

export class ListOverdueCallbacksQuery extends PageQuery {
  @ApiPropertyOptional({
    description: "`me`, `none` (unassigned inquiry) or a staff user id: whose inquiries' callbacks",
  })
  @IsOptional()
  @Transform(trim)
  @Matches(/^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'assignee must be me, none or a staff user id',
  })
  assignee?: string;
}
