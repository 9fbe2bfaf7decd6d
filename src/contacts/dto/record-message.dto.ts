import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  CALL_DIRECTIONS,
  MESSAGE_CHANNELS,
  type CallDirection,
  type MessageChannel,
} from '../contacts.vocabulary.js';

// A visit in person or a letter on paper, as the staff member who had it records it.
export class RecordMessageDto {
  @ApiProperty({ enum: MESSAGE_CHANNELS })
  @IsIn(MESSAGE_CHANNELS)
  channel!: MessageChannel;

  @ApiProperty({ enum: CALL_DIRECTIONS, description: 'inbound: the family came or wrote' })
  @IsIn(CALL_DIRECTIONS)
  direction!: CallDirection;

  @ApiPropertyOptional({ description: 'When (ISO 8601); now if left out' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  occurredAt?: Date;

  @ApiProperty({ description: 'What was said or written' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  text!: string;
}
