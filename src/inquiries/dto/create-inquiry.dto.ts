import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import {
  LANGUAGES,
  RELATIONSHIPS,
  type Language,
  type Relationship,
} from '../../people/inquirer.entity.js';
import { FAMILY_CHANNELS, type FamilyChannel } from '../../people/people.vocabulary.js';
import { CHANNELS, PRIORITIES, type Channel, type Priority } from '../inquiry.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
// Text, trimmed; nothing left is no value (null: in an edit, the field is cleared).
const trimOrNull = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() || null : value;

// To E.164 when the number parses (international, or national with the inquirer's country);
// otherwise left as given, for the validator to name.
export const toE164 = ({ value, obj }: { value: unknown; obj: { country?: unknown } }) => {
  if (!Array.isArray(value)) return value;
  const region =
    typeof obj.country === 'string' ? (obj.country.toUpperCase() as CountryCode) : undefined;
  return value.map((v) => {
    if (typeof v !== 'string') return v;
    const parsed = parsePhoneNumberFromString(v.trim(), region);
    return parsed?.isValid() ? parsed.number : v;
  });
};

export const lowerEach = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v))
    : value;

export class InquirerDto {
  @ApiProperty({ example: 'Петрова Ольга Ивановна' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fullName!: string;

  @ApiProperty({ enum: RELATIONSHIPS })
  @IsIn(RELATIONSHIPS)
  relationship!: Relationship;

  @ApiPropertyOptional({ type: [String], example: ['+79161234567'] })
  @IsOmittable()
  @Transform(toE164)
  @IsArray()
  @ArrayMaxSize(5)
  @Matches(/^\+[1-9]\d{6,14}$/, {
    each: true,
    message: 'each phone must be a valid number, international (+7…) or national with country',
  })
  phones: string[] = [];

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @Transform(lowerEach)
  @IsArray()
  @ArrayMaxSize(5)
  @IsEmail({}, { each: true, message: 'each email must be an email address' })
  @MaxLength(254, { each: true })
  emails: string[] = [];

  @ApiPropertyOptional({ enum: LANGUAGES, default: 'ru' })
  @IsOmittable()
  @IsIn(LANGUAGES)
  preferredLanguage: Language = 'ru';

  @ApiPropertyOptional({
    enum: FAMILY_CHANNELS,
    default: 'email',
    description: 'How the family hears from us: letters by email, or a call (a callback)',
  })
  @IsOmittable()
  @IsIn(FAMILY_CHANNELS)
  preferredChannel: FamilyChannel = 'email';

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2, e.g. RU' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(/^[A-Z]{2}$/, { message: 'country must be a two-letter ISO code, e.g. RU' })
  country?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(120)
  city?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;
}

const CURRENT_YEAR = new Date().getUTCFullYear();

export class SoughtPersonDto {
  @ApiProperty({ example: 'Петров' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  surname!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(120)
  givenName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(120)
  patronymic?: string;

  @ApiPropertyOptional({ description: 'Year of birth; month and day may follow' })
  @IsOptional()
  @IsInt()
  @Min(1900)
  @Max(CURRENT_YEAR)
  birthYear?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(12)
  birthMonth?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31)
  birthDay?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(200)
  placeOfBirth?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(200)
  militaryUnit?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(80)
  rank?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(80)
  personalNumber?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(120)
  mothersMaidenName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trimOrNull)
  @IsString()
  @MaxLength(120)
  fathersFirstName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  distinguishingMarks?: string;
}

export class CreateInquiryDto {
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOmittable()
  @IsIn(PRIORITIES)
  priority: Priority = 'normal';

  @ApiProperty({ type: InquirerDto })
  @ValidateNested()
  @Type(() => InquirerDto)
  inquirer!: InquirerDto;

  @ApiProperty({ type: SoughtPersonDto })
  @ValidateNested()
  @Type(() => SoughtPersonDto)
  soughtPerson!: SoughtPersonDto;
}
