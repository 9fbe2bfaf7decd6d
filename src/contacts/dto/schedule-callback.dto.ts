import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDate,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinDate,
} from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { MAX_CALLBACK_WINDOW_MINUTES } from '../callback.entity.js';
import { INSTANT_MESSAGE, toInstant, trimOrUndefined } from './contact-input.util.js';

// A due time typed a moment ago may reach us a moment late.
const CLOCK_SKEW_MS = 60_000;

// International numbers to E.164; anything else is left for the validator to name.
const toE164 = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const parsed = parsePhoneNumberFromString(value.trim());
  return parsed?.isValid() ? parsed.number : value.trim() || undefined;
};

export class ScheduleCallbackDto {
  @ApiProperty({
    description: 'Start of the promised time (ISO 8601 with offset), not in the past',
    example: '2026-05-01T14:00:00+03:00',
  })
  @Transform(toInstant)
  @IsDate({ message: INSTANT_MESSAGE })
  @MinDate(() => new Date(Date.now() - CLOCK_SKEW_MS), {
    message: 'dueAt must not be in the past',
  })
  dueAt!: Date;

  @ApiPropertyOptional({
    default: 60,
    minimum: 0,
    maximum: MAX_CALLBACK_WINDOW_MINUTES,
    description: 'Length of the promised window after dueAt, in minutes',
  })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(MAX_CALLBACK_WINDOW_MINUTES)
  windowMinutes: number = 60;

  @ApiPropertyOptional({
    description: "Number to call, international format; the inquirer's first phone if left out",
    example: '+79161234567',
  })
  @IsOptional()
  @Transform(toE164)
  @Matches(/^\+[1-9]\d{6,14}$/, {
    message: 'phone must be a valid international number, e.g. +79161234567',
  })
  phone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrUndefined)
  @IsString()
  @MaxLength(4000)
  notes?: string;
}
