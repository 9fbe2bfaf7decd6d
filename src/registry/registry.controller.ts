import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { PageQuery } from '../common/dto/page.query.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { readBody } from '../common/http/request-body.js';
import { REGISTRY_FILE_MAX_BYTES } from '../common/http/configure-app.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import type { Prisoner } from './prisoner.entity.js';
import { REGISTRY_ENCODINGS, type RegistryEncoding } from './registry-rows.js';
import { RegistryService, type ImportReport } from './registry.service.js';

export class ImportQuery {
  @IsOptional()
  @Transform(({ value }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  skipInvalid: boolean = false;

  @IsOptional()
  @IsIn(REGISTRY_ENCODINGS)
  encoding?: RegistryEncoding;
}

export class PrisonerSearchQuery extends PageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

// The prisoner registry: imports (CSV as text/csv, JSON as application/json), search, records.
@ApiTags('registry')
@Controller('registry')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Post('imports')
  @HttpCode(200)
  @Roles('supervisor', 'admin')
  // The file is read here, once sign-in and the roles are checked (no parser reads it before).
  async import(
    @Req() req: HomecomingRequest,
    @Query() query: ImportQuery,
    @Actor() actor: ActorContext,
  ): Promise<ImportReport> {
    const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
    if (type !== 'text/csv' && type !== 'application/json') {
      throw new DomainException('unsupported_media_type', 'Send the registry file', {
        detail:
          'As text/csv (UTF-8, or say encoding=windows-1251), or as a JSON array (application/json).',
      });
    }
    const file = await readBody(req, REGISTRY_FILE_MAX_BYTES);
    if (type === 'text/csv') return this.registry.import(file, { format: 'csv', ...query }, actor);
    return this.registry.import(file, { format: 'json', skipInvalid: query.skipInvalid }, actor);
  }

  @Get('prisoners')
  @Reads('registry')
  search(
    @Query() query: PrisonerSearchQuery,
    @Actor() actor: ActorContext,
  ): Promise<{ items: Prisoner[]; total: number; page: number; pageSize: number }> {
    return this.registry.search(query, actor);
  }

  @Get('prisoners/:id')
  @Reads('registry')
  get(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ): Promise<Prisoner> {
    return this.registry.get(id, actor, req.staff?.roles.includes('supervisor') ?? false);
  }
}
