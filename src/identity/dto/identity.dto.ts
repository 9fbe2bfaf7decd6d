import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  VERIFICATION_METHODS,
  VERIFICATION_OUTCOMES,
  VERIFICATION_QUESTIONS,
  type VerificationMethod,
  type VerificationOutcome,
  type VerificationQuestion,
} from '../inquirer-verification.entity.js';
import {
  CONSENT_DECISIONS,
  CONSENT_KINDS,
  type ConsentDecision,
  type ConsentKind,
} from '../prisoner-consent.entity.js';

export class ProposeMatchDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  prisonerId!: string;
}

export class RejectMatchDto {
  @ApiProperty({ description: 'Why the prisoner is not the sought person' })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class SeenDocumentDto {
  @ApiProperty({ example: 'passport' })
  @IsString()
  @Length(2, 50)
  kind!: string;

  @ApiProperty({ description: 'Stored encrypted; only its last four characters are shown' })
  @IsString()
  @Length(4, 100)
  number!: string;
}

export class VerificationAnswerDto {
  @ApiProperty({ enum: VERIFICATION_QUESTIONS })
  @IsIn(VERIFICATION_QUESTIONS)
  question!: VerificationQuestion;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  answer!: string;
}

export class RecordVerificationDto {
  @ApiProperty({ type: [SeenDocumentDto] })
  @IsArray()
  @ArrayMaxSize(10)
  // An array or a number in the list would pass @ValidateNested untouched.
  @IsObject({ each: true, message: 'each of $property must be an object' })
  @ValidateNested({ each: true })
  @Type(() => SeenDocumentDto)
  documents!: SeenDocumentDto[];

  @ApiProperty({ example: 'birth certificate naming her as the mother' })
  @IsString()
  @Length(3, 1_000)
  relationshipEvidence!: string;

  @ApiProperty({ type: [VerificationAnswerDto] })
  @IsArray()
  @ArrayMaxSize(10)
  // An array or a number in the list would pass @ValidateNested untouched.
  @IsObject({ each: true, message: 'each of $property must be an object' })
  @ValidateNested({ each: true })
  @Type(() => VerificationAnswerDto)
  answers!: VerificationAnswerDto[];

  @ApiProperty({ enum: VERIFICATION_METHODS })
  @IsIn(VERIFICATION_METHODS)
  method!: VerificationMethod;

  @ApiProperty({ enum: VERIFICATION_OUTCOMES })
  @IsIn(VERIFICATION_OUTCOMES)
  outcome!: VerificationOutcome;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  notes?: string;
}

export class RecordConsentDto {
  @ApiProperty({ enum: CONSENT_KINDS })
  @IsIn(CONSENT_KINDS)
  kind!: ConsentKind;

  @ApiProperty({ enum: CONSENT_DECISIONS })
  @IsIn(CONSENT_DECISIONS)
  decision!: ConsentDecision;

  @ApiProperty({ example: '2026-11-20', description: 'The day of the interview' })
  @IsISO8601({ strict: true })
  interviewedOn!: string;

  @ApiProperty({ format: 'uuid', description: 'The staff member who interviewed him' })
  @IsUUID()
  interviewedBy!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  notes?: string;
}

export class CountersignMatchDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The prisoner the supervisor reviewed and confirms (must be the one proposed)',
  })
  @IsUUID()
  prisonerId!: string;
}

export class CountersignVerificationDto {
  @ApiProperty({
    enum: VERIFICATION_OUTCOMES,
    description: 'The outcome the supervisor reviewed and confirms (must be the one recorded)',
  })
  @IsIn(VERIFICATION_OUTCOMES)
  outcome!: VerificationOutcome;
}
