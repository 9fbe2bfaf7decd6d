import {
  Body,
  Controller,
  Get,
  HttpCode,
  Headers,
  Param,
  Patch,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { ValidationFailedException } from '../common/exceptions/domain.exception.js';
import { IDEMPOTENCY_KEY } from '../common/idempotency/idempotency.service.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import { CreateInquiryDto } from './dto/create-inquiry.dto.js';
import { ListInquiriesQuery } from './dto/list-inquiries.query.js';
import { TransitionDto } from './dto/transition.dto.js';
import { AssignInquiryDto, MergeInquiryDto, UpdateInquiryDto } from './dto/update-inquiry.dto.js';
import { InquiryDuplicatesService } from './inquiry-duplicates.service.js';
import { InquiryEditingService } from './inquiry-editing.service.js';
import { InquiriesService } from './inquiries.service.js';
import { InquiryTransitionService } from './inquiry-transition.service.js';
import type { Role } from '../common/decorators/access-policy.decorator.js';

@ApiTags('inquiries')
@Controller('inquiries')
export class InquiriesController {
  constructor(
    private readonly inquiries: InquiriesService,
    private readonly transitions: InquiryTransitionService,
    private readonly editing: InquiryEditingService,
    private readonly duplicatesService: InquiryDuplicatesService,
  ) {}

  @Post()
  @Roles('intake', 'caseworker', 'supervisor')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body → the first answer',
  })
  async create(
    @Body() dto: CreateInquiryDto,
    @Actor() actor: ActorContext,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new ValidationFailedException([
        {
          field: 'Idempotency-Key',
          rule: 'format',
          message: 'Idempotency-Key must be 8–128 of A-Z a-z 0-9 . _ : -',
        },
      ]);
    }
    const result = await this.inquiries.create(dto, actor, key);
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  // The intake form asks before saving: open inquiries this one would probably duplicate.
  // Takes the body a create takes; writes nothing.
  @Post('duplicate-check')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  duplicateCheck(@Body() dto: CreateInquiryDto) {
    return this.duplicatesService.candidatesFor({
      phones: dto.inquirer.phones,
      emails: dto.inquirer.emails,
      surname: dto.soughtPerson.surname,
      givenName: dto.soughtPerson.givenName,
      birthYear: dto.soughtPerson.birthYear,
      birthMonth: dto.soughtPerson.birthMonth,
      birthDay: dto.soughtPerson.birthDay,
    });
  }

  @Get()
  @Reads('case')
  list(@Query() query: ListInquiriesQuery, @Actor() actor: ActorContext) {
    return this.inquiries.list(query, actor);
  }

  @Get(':id')
  @Reads('case')
  detail(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.inquiries.detail(id, actor, req.staff!.roles);
  }

  @Patch(':id')
  @Roles('intake', 'caseworker', 'supervisor')
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version the edit is based on' })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateInquiryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Actor() actor: ActorContext,
  ) {
    return this.editing.update(id, dto, versionFrom(dto.version, ifMatch), actor);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles('caseworker', 'supervisor')
  assign(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AssignInquiryDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.editing.assign({
      id,
      assigneeId: dto.assigneeId ?? null,
      version: dto.version,
      actor,
      roles: req.staff!.roles as Role[],
    });
  }

  @Get(':id/duplicates')
  @Reads('case')
  duplicates(@Param('id', ParseUUIDPipe) id: string) {
    return this.duplicatesService.findCandidates(id);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @Roles('supervisor')
  merge(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: MergeInquiryDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.duplicatesService.merge({
      duplicateId: id,
      survivorId: dto.survivorId,
      version: dto.version,
      reason: dto.reason,
      actor,
      roles: req.staff!.roles as Role[],
    });
  }

  @Get(':id/transitions')
  @Reads('case')
  options(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.transitions.options(id, req.staff!.roles as Role[], actor);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  transition(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: TransitionDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.transitions.execute({
      inquiryId: id,
      to: dto.to,
      reason: dto.reason,
      version: dto.version,
      actor,
      roles: req.staff!.roles as Role[],
    });
  }
}

// The version an edit is based on: in the body, or as If-Match (a plain number or "W/\"n\"").
function versionFrom(body: number | undefined, ifMatch: string | undefined): number {
  const fromHeader = ifMatch ? Number(/^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim())?.[1]) : undefined;
  const version = body ?? fromHeader;
  if (!version || !Number.isInteger(version)) {
    throw new ValidationFailedException([
      {
        field: 'version',
        rule: 'required',
        message: 'version (or an If-Match header) is required',
      },
    ]);
  }
  return version;
}
