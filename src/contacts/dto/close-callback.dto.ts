import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, MinLength } from 'class-validator';
import { trim, trimOrUndefined } from './contact-input.util.js';

class VersionedDto {
  @ApiProperty({ description: 'The version of the callback the decision was based on' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class CompleteCallbackDto extends VersionedDto {
  @ApiPropertyOptional({ description: 'The logged call that kept the promise' })
  @IsOptional()
  @IsUUID()
  callId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrUndefined)
  @IsString()
  @MaxLength(4000)
  notes?: string;
}

export class MissCallbackDto extends VersionedDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrUndefined)
  @IsString()
  @MaxLength(4000)
  notes?: string;
}

export class CancelCallbackDto extends VersionedDto {
  @ApiProperty({ description: 'Why the promised call will not be made' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}
