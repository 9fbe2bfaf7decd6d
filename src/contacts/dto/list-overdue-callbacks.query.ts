import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
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

export class ListDueCallbacksQuery extends ListOverdueCallbacksQuery {
  @ApiPropertyOptional({
    description: 'open callbacks due within this many hours from now, overdue ones included',
    default: 24,
    minimum: 1,
    maximum: 168,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(168)
  withinHours = 24;
}
