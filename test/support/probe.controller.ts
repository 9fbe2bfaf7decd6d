import { Body, Controller, Get, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { Public } from '../../src/common/decorators/access-policy.decorator.js';
import { DomainException } from '../../src/common/exceptions/domain.exception.js';

class ProbeContactDto {
  @IsEmail()
  email!: string;
}

export class ProbeDto {
  @IsString()
  @MaxLength(20)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(10)
  priority!: number;

  @IsIn(['ru', 'uk', 'en'])
  language!: string;

  @ValidateNested()
  @Type(() => ProbeContactDto)
  contact!: ProbeContactDto;
}

// Routes that exist only in tests, to drive each kind of failure through the real pipeline.
@Public()
@Controller('probe')
export class ProbeController {
  constructor(private readonly dataSource: DataSource) {}

  @Post('validate')
  validate(@Body() body: ProbeDto): { ok: true; name: string } {
    return { ok: true, name: body.name };
  }

  @Get('crash')
  crash(): never {
    throw new Error('cannot reach olga.petrova@mail.ru at +7 916 123-45-67');
  }

  @Get('conflict')
  conflict(): never {
    throw new DomainException('stale_version', 'Changed by someone else', {
      detail: 'The inquiry was changed since version 3.',
      extensions: { currentVersion: 4 },
    });
  }

  @Post('unique')
  async unique(): Promise<void> {
    await this.dataSource.query('CREATE TABLE IF NOT EXISTS probe_unique (code text UNIQUE)');
    await this.dataSource.query("INSERT INTO probe_unique (code) VALUES ('HC-1')");
  }
}
