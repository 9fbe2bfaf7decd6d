import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { INQUIRY_STATES, type InquiryState } from '../state-machine/inquiry-states.js';

export class TransitionDto {
  @ApiProperty({ enum: INQUIRY_STATES, description: 'The status to move to' })
  @IsIn(INQUIRY_STATES)
  to!: InquiryState;

  @ApiPropertyOptional({ description: 'Why; required by some transitions' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  @ApiProperty({ description: 'The version of the inquiry the decision was based on' })
  @IsInt()
  @Min(1)
  version!: number;
}
