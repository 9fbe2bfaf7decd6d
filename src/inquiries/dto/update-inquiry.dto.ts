import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { PatchType } from '../../common/dto/patch-type.js';
import { PRIORITIES, type Priority } from '../inquiry.entity.js';
import { InquirerDto, SoughtPersonDto } from './create-inquiry.dto.js';

export class InquirerPatchDto extends PatchType(InquirerDto) {}
export class SoughtPersonPatchDto extends PatchType(SoughtPersonDto) {}

// Only the fields sent are changed (absent: unchanged; null: cleared, where the field may be
// empty). The version (here or in If-Match) must be the current one.
export class UpdateInquiryDto {
  @ApiPropertyOptional({ description: 'The version the edit is based on (or send If-Match)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOmittable()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ type: InquirerPatchDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => InquirerPatchDto)
  inquirer?: InquirerPatchDto;

  @ApiPropertyOptional({ type: SoughtPersonPatchDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SoughtPersonPatchDto)
  soughtPerson?: SoughtPersonPatchDto;
}

export class AssignInquiryDto {
  @ApiPropertyOptional({ description: 'Staff user to assign; null to unassign', nullable: true })
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional()
  @IsInt()
  @Min(1)
  version!: number;
}

export class MergeInquiryDto {
  @ApiPropertyOptional({ description: 'The inquiry that survives; this one becomes its duplicate' })
  @IsUUID()
  survivorId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsString()
  @MaxLength(2000)
  reason!: string;
}
