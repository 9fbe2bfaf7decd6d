import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Min,
} from 'class-validator';
import { IsOmittable } from '../../common/decorators/is-omittable.decorator.js';
import { PatchType } from '../../common/dto/patch-type.js';
import { toDate } from '../../common/dto/to-date.transform.js';

export class HandoverLocationDto {
  @ApiProperty()
  @IsString()
  @Length(2, 200)
  nameUk!: string;

  @ApiProperty()
  @IsString()
  @Length(2, 200)
  nameRu!: string;

  @ApiProperty()
  @IsString()
  @Length(2, 200)
  nameEn!: string;

  @ApiProperty()
  @IsString()
  @Length(5, 300)
  address!: string;

  @ApiProperty()
  @IsString()
  @Length(5, 2_000)
  instructionsUk!: string;

  @ApiProperty()
  @IsString()
  @Length(5, 2_000)
  instructionsRu!: string;

  @ApiProperty()
  @IsString()
  @Length(5, 2_000)
  instructionsEn!: string;
}

// Null is refused like any other wrong value: neither may be empty.
export class UpdateHandoverLocationDto {
  @ApiProperty({ description: 'The version you saw' })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @Length(5, 300)
  address?: string;
}

export class ScheduleHandoverDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  locationId!: string;

  @ApiProperty({ example: '2026-12-14T11:00:00+02:00' })
  @Transform(toDate)
  @IsDate({ message: 'scheduledAt must be a date and time (ISO 8601 with offset)' })
  scheduledAt!: Date;

  @ApiProperty({ example: ['Капітан Іваненко, СБУ', 'Пані Шевчук, Координаційний штаб'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(3, 200, { each: true })
  officials!: string[];
}

// A scheduled appointment changed: any of its time, place and officials (each checked as when
// making one), with the version last seen.
export class RescheduleHandoverDto extends PatchType(ScheduleHandoverDto) {
  @ApiProperty({ description: 'The version you saw (a stale one is refused)' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class ReasonDto {
  @ApiProperty()
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class CompleteHandoverDto {
  @ApiProperty({ description: 'When he was handed over (ISO 8601 with offset)' })
  @Transform(toDate)
  @IsDate({ message: 'handedOverAt must be a date and time (ISO 8601 with offset)' })
  handedOverAt!: Date;

  @ApiProperty({ example: 'АКТ-2026/117' })
  @IsString()
  @Length(2, 50)
  actNumber!: string;
}
