import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxDate,
  MaxLength,
  Min,
} from 'class-validator';
import {
  CALL_DIRECTIONS,
  CALL_OUTCOMES,
  type CallDirection,
  type CallOutcome,
} from '../call.entity.js';
import { INSTANT_MESSAGE, toInstant, trimOrUndefined } from './contact-input.util.js';

// Clocks of the caller's computer and ours may differ a little.
const CLOCK_SKEW_MS = 5 * 60_000;

export class LogCallDto {
  @ApiProperty({ enum: CALL_DIRECTIONS })
  @IsIn(CALL_DIRECTIONS)
  direction!: CallDirection;

  @ApiPropertyOptional({
    description: 'When the call began (ISO 8601 with offset); now if left out',
    example: '2026-05-01T14:05:00+03:00',
  })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: INSTANT_MESSAGE })
  @MaxDate(() => new Date(Date.now() + CLOCK_SKEW_MS), {
    message: 'occurredAt must not be in the future',
  })
  occurredAt?: Date;

  @ApiPropertyOptional({ default: 0, maximum: 86_400 })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(86_400)
  durationSeconds: number = 0;

  @ApiProperty({ enum: CALL_OUTCOMES })
  @IsIn(CALL_OUTCOMES)
  outcome!: CallOutcome;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrUndefined)
  @IsString()
  @MaxLength(4000)
  notes?: string;
}
