import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ErasureDto {
  @ApiProperty({
    description:
      'How the request came and was checked (e.g. "by email of 3 May, identity confirmed by call"); recorded in the audit trail',
    minLength: 10,
    maxLength: 1000,
  })
  @Transform(trim)
  @IsString()
  @MinLength(10)
  @MaxLength(1000)
  reason!: string;
}
