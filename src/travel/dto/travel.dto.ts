import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsISO8601,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TRAFFIC_KINDS, type TrafficKind } from '../border-crossing.entity.js';
import { TRAVEL_STEPS, type TravelStep } from '../travel-event.entity.js';
import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { PatchType } from '../../common/dto/patch-type.js';
import { toDate } from '../../common/dto/to-date.transform.js';

// Null is refused like any other wrong value: none of them may be empty.
export class UpdateCrossingDto {
  @ApiProperty({ description: 'The version you saw (a stale one is refused)' })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  open?: boolean;

  @ApiPropertyOptional({ enum: TRAFFIC_KINDS, isArray: true })
  @IsOmittable()
  @IsArray()
  @IsIn(TRAFFIC_KINDS, { each: true })
  traffic?: TrafficKind[];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @Length(3, 200)
  address?: string;
}

export class TravellerDto {
  @ApiProperty({ description: 'The inquirer herself (exactly one traveller is)' })
  @IsBoolean()
  isInquirer!: boolean;

  @ApiProperty()
  @IsString()
  @Length(2, 200)
  fullName!: string;

  @ApiPropertyOptional({ description: "A companion's relationship to the prisoner" })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  relationship?: string;

  @ApiProperty({ example: 'passport' })
  @IsString()
  @Length(2, 50)
  documentKind!: string;

  @ApiProperty({ description: 'Stored encrypted; only its last four characters are shown' })
  @IsString()
  @Length(4, 50)
  documentNumber!: string;
}

export class SaveTravelPlanDto {
  @ApiProperty({ description: 'The version you saw; 0 for a new plan' })
  @IsInt()
  @Min(0)
  version!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 100)
  originCity?: string;

  @ApiPropertyOptional({ example: 'RU' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'originCountry must be an ISO 3166-1 alpha-2 code' })
  originCountry?: string;

  @ApiPropertyOptional({ example: '2026-12-10' })
  @IsOptional()
  @IsISO8601({ strict: true })
  plannedEntryIntoPoland?: string;

  @ApiPropertyOptional({ example: 'medyka-shehyni' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  crossingPointId?: string;

  @ApiPropertyOptional({ example: '2026-12-11T09:00:00+01:00' })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'plannedCrossingAt must be a date and time (ISO 8601 with offset)' })
  plannedCrossingAt?: Date;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 200)
  escortName?: string;

  @ApiPropertyOptional({ example: '+48 600 000 000' })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{6,20}$/, { message: 'escortPhone must be a phone number' })
  escortPhone?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  notes?: string;

  @ApiProperty({ type: [TravellerDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  // An array or a number in the list would pass @ValidateNested untouched.
  @IsObject({ each: true, message: 'each of $property must be an object' })
  @ValidateNested({ each: true })
  @Type(() => TravellerDto)
  travellers!: TravellerDto[];
}

// Part of an existing plan, with the version last seen: a field left out keeps its value, null
// clears an optional one; travellers, when sent, replace the whole list.
export class PatchTravelPlanDto extends PatchType(OmitType(SaveTravelPlanDto, ['version'])) {
  @ApiProperty({ description: 'The version you saw (a stale one is refused)' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class RecordTravelEventDto {
  @ApiProperty({ enum: TRAVEL_STEPS })
  @IsIn(TRAVEL_STEPS)
  step!: TravelStep;

  @ApiProperty({ description: 'When it happened (ISO 8601 with offset)' })
  @Transform(toDate)
  @IsDate({ message: 'occurredAt must be a date and time (ISO 8601 with offset)' })
  occurredAt!: Date;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1_000)
  notes?: string;
}

export class ManifestQuery {
  @ApiProperty({ example: 'medyka-shehyni' })
  @IsString()
  @MaxLength(60)
  crossingPointId!: string;

  @ApiProperty({ example: '2026-12-11', description: 'The day, in the service time zone' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a day as YYYY-MM-DD' })
  date!: string;

  @ApiPropertyOptional({ enum: ['html', 'csv'], default: 'html' })
  @IsOptional()
  @IsIn(['html', 'csv'])
  format?: 'html' | 'csv';
}
