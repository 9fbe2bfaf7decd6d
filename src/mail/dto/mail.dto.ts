import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/dto/page.query.js';
import { OUTBOX_STATES, type OutboxState } from '../outbox.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ComposeEmailDto {
  @ApiProperty({ example: 'Документы для проверки', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  subject!: string;

  @ApiProperty({ description: 'Plain text; the greeting, signature and footer are added.' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  body!: string;
}

export class ListOutboxQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATES })
  @IsOptional()
  @IsIn(OUTBOX_STATES)
  state?: OutboxState;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  inquiryId?: string;
}

export class CancelOutboxDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
