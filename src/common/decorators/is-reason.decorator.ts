import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';

// Why a person did something, for the audit trail: text, trimmed, 1 to 2,000 characters.
export function IsReason(description = 'Why; recorded in the audit trail'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description, minLength: 1, maxLength: 2000 }),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim() : value,
    ),
    IsString(),
    MinLength(1),
    MaxLength(2000),
  );
}
