import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export class AttachReviewedDto {
  @ApiProperty({
    description: 'The reference of the case the letter belongs to.',
    example: 'HC-2026-000123',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsString()
  @Matches(/^HC-\d{4}-\d{6,}$/, { message: 'reference must look like HC-2026-000123' })
  reference!: string;
}

export class DismissReviewedDto {
  @ApiProperty({ description: 'Why the letter needs nothing done (kept on the record).' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
