import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'inquiry:2b7c…' })
  stream!: string;

  @ApiProperty()
  seq!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt!: Date;

  @ApiProperty({ description: 'A staff user id, `system:<component>` or `anonymous`.' })
  actor!: string;

  @ApiProperty({ example: 'inquiry.transition' })
  action!: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  entityType!: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  entityId!: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  inquiryId!: string | null;

  @ApiProperty({
    description: 'Changed fields, `{ field: { from, to } }`; secrets read `[masked]`.',
    type: 'object',
    additionalProperties: true,
  })
  diff!: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true })
  requestId!: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({
    description: 'Hash of the previous event of the stream (64 zeros for the first).',
  })
  prevHash!: string;

  @ApiProperty({ description: 'SHA-256 of prevHash and the canonical JSON of this event.' })
  hash!: string;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  items!: AuditEventDto[];

  @ApiProperty({ description: 'Events matching the filters, over all pages.' })
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;
}
