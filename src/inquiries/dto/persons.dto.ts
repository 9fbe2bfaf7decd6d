import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { lowerEach, toE164 } from './create-inquiry.dto.js';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsInt,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { IsReason } from '../../common/decorators/is-reason.decorator.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class PersonMergeDto {
  @ApiProperty({ description: 'The other record of this person: its inquiries become this one’s' })
  @IsUUID()
  absorbedId!: string;

  @IsReason()
  reason!: string;
}

export class PersonSplitDto {
  @ApiProperty({ type: [String], description: 'The inquiries that belong to the other person' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  inquiryIds!: string[];

  @ApiProperty({ description: 'The other person’s name, as written' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fullName!: string;

  // Stored as every inquirer's contacts are (E.164, emails lower-cased), so that the rule that
  // recognises a person finds them.
  @ApiPropertyOptional({ type: [String], description: 'Their phones (E.164)' })
  @IsOmittable()
  @Transform(toE164)
  @IsArray()
  @ArrayMaxSize(5)
  @Matches(/^\+[1-9]\d{6,14}$/, { each: true, message: 'each phone must be in E.164 (+7…)' })
  phones: string[] = [];

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(5)
  @Transform(lowerEach)
  @IsEmail({}, { each: true, message: 'each email must be an email address' })
  @MaxLength(254, { each: true })
  emails: string[] = [];

  @IsReason()
  reason!: string;
}

export class SearchLinkDto {
  @ApiProperty({ description: 'An inquiry about the same man: this one joins its search' })
  @IsUUID()
  withInquiryId!: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  version!: number;

  @IsReason()
  reason!: string;
}

export class SearchUnlinkDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  version!: number;

  @IsReason()
  reason!: string;
}

export class PersonMergeUndoDto {
  @IsReason()
  reason!: string;
}
