import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQuery } from '../../common/dto/page.query.js';
import type { AuditEventFilter } from '../audit.types.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// A date, or a date and time with its offset: never a local time the server would guess a zone for.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const INSTANT_MESSAGE =
  '$property must be an ISO 8601 date (2026-05-01, midnight UTC) or date-time with offset (2026-05-01T10:00:00Z)';

// GET /api/audit. Every filter is optional; they combine with AND.
export class ListAuditEventsDto extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  inquiryId?: string;

  @ApiPropertyOptional({ description: 'A staff user id, `system:<component>` or `anonymous`.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Transform(trim)
  actorId?: string;

  @ApiPropertyOptional({ example: 'inquiry.transition' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, {
    message: '$property must look like area.verb, e.g. inquiry.transition',
  })
  @Transform(trim)
  action?: string;

  @ApiPropertyOptional({ example: 'staff_user' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Transform(trim)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Transform(trim)
  entityId?: string;

  @ApiPropertyOptional({ description: 'Events at or after this instant.', example: '2026-05-01' })
  @IsOptional()
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  @IsISO8601({ strict: true }, { message: INSTANT_MESSAGE })
  from?: string;

  @ApiPropertyOptional({ description: 'Events before this instant.', example: '2026-06-01' })
  @IsOptional()
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  @IsISO8601({ strict: true }, { message: INSTANT_MESSAGE })
  to?: string;

  toFilter(): AuditEventFilter {
    return {
      inquiryId: this.inquiryId,
      actorId: this.actorId,
      action: this.action,
      entityType: this.entityType,
      entityId: this.entityId,
      from: this.from ? new Date(this.from) : undefined,
      to: this.to ? new Date(this.to) : undefined,
      page: this.page,
      pageSize: this.pageSize,
    };
  }
}
