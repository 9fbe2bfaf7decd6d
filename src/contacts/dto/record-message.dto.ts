import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  MaxDate,
  MaxLength,
  MinDate,
  MinLength,
} from 'class-validator';
import {
  CALL_DIRECTIONS,
  MESSAGE_CHANNELS,
  type CallDirection,
  type MessageChannel,
} from '../contacts.vocabulary.js';
import { INSTANT_MESSAGE, toInstant, trim } from './contact-input.util.js';

// Clocks of the caller's computer and ours may differ a little; nothing was said before the
// service existed.
const CLOCK_SKEW_MS = 5 * 60_000;
const EARLIEST = new Date('2000-01-01T00:00:00Z');

// A visit in person or a letter on paper, as the staff member who had it records it.
export class RecordMessageDto {
  @ApiProperty({ enum: MESSAGE_CHANNELS })
  @IsIn(MESSAGE_CHANNELS)
  channel!: MessageChannel;

  @ApiProperty({ enum: CALL_DIRECTIONS, description: 'inbound: the family came or wrote' })
  @IsIn(CALL_DIRECTIONS)
  direction!: CallDirection;

  @ApiPropertyOptional({
    description: 'When (ISO 8601 with offset); now if left out',
    example: '2026-05-01T14:05:00+03:00',
  })
  @IsOptional()
  @Transform(toInstant)
  @IsDate({ message: INSTANT_MESSAGE })
  @MinDate(EARLIEST, { message: 'occurredAt must be after 2000' })
  @MaxDate(() => new Date(Date.now() + CLOCK_SKEW_MS), {
    message: 'occurredAt must not be in the future',
  })
  occurredAt?: Date;

  @ApiProperty({ description: 'What was said or written' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  text!: string;
}
