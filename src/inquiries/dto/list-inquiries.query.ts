import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/dto/page.query.js';
import { CHANNELS, type Channel } from '../inquiry.entity.js';
import { INQUIRY_STATES, type InquiryState } from '../state-machine/inquiry-states.js';
import { toDate } from '../../common/dto/to-date.transform.js';

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;

export class ListInquiriesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'One or more statuses, comma-separated' })
  @IsOptional()
  @Transform(list)
  @IsIn(INQUIRY_STATES, { each: true })
  status?: InquiryState[];

  @ApiPropertyOptional({ description: '`me`, `none` (unassigned) or a staff user id' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(36)
  assignee?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'Created on or after (ISO 8601)' })
  @IsOptional()
  @Transform(toDate)
  @IsDate()
  createdFrom?: Date;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601)' })
  @IsOptional()
  @Transform(toDate)
  @IsDate()
  createdTo?: Date;

  @ApiPropertyOptional({ description: 'Only inquiries with a promised callback that is overdue' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdueCallback?: boolean;

  @ApiPropertyOptional({
    description: "Part of the inquirer's or the sought person's name, any script",
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({
    enum: ['createdAt', '-createdAt', 'reference', '-reference', 'status', '-status'],
  })
  @IsOptional()
  @IsIn(['createdAt', '-createdAt', 'reference', '-reference', 'status', '-status'])
  sort: string = '-createdAt';
}
