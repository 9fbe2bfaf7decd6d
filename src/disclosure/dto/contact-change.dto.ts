import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';

export class RejectContactChangeDto {
  @ApiProperty({ description: 'Why the address or number is not the family’s' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(3, 2000)
  reason!: string;
}
