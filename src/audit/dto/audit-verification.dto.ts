import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BrokenLinkDto {
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  eventId!: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  stream!: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  seq!: number | null;

  @ApiPropertyOptional({ description: 'Set when the break was found in or through a checkpoint.' })
  checkpointId?: number;

  @ApiProperty({ example: 'previous event missing (seq 4 expected, found 6)' })
  reason!: string;
}

export class AuditVerificationDto {
  @ApiProperty()
  intact!: boolean;

  @ApiProperty({ description: 'Events checked.' })
  events!: number;

  @ApiProperty()
  streams!: number;

  @ApiProperty()
  checkpoints!: number;

  @ApiPropertyOptional({ description: 'Breaks found in all (only when not intact).' })
  problems?: number;

  @ApiPropertyOptional({
    type: BrokenLinkDto,
    description: 'The earliest break by time (only when not intact).',
  })
  firstBroken?: BrokenLinkDto;
}
