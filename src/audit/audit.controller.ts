import { Controller, Get, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import {
  Actor,
  actorOf,
  type ActorContext,
  type HomecomingRequest,
} from '../common/request-context.js';
import { AuditService } from './audit.service.js';
import { AuditEventPageDto } from './dto/audit-event-page.dto.js';
import { AuditVerificationDto } from './dto/audit-verification.dto.js';
import { ListAuditEventsDto } from './dto/list-audit-events.dto.js';

@ApiTags('audit')
@ApiUnauthorizedResponse({ description: 'Not signed in.' })
@ApiForbiddenResponse({ description: 'Signed in without a role allowed here.' })
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  // Audited (`audit.read`, on the reader's own stream). A case's values show only to roles that
  // may read what they belong to; others see that a field changed.
  @Get()
  @Reads('audit')
  @ApiOperation({ summary: 'Audit events matching the filters, newest first' })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiBadRequestResponse({ description: 'A filter is malformed; the problem names it.' })
  list(
    @Query() query: ListAuditEventsDto,
    @Req() req: HomecomingRequest,
  ): Promise<AuditEventPageDto> {
    return this.audit.list(query.toFilter(), { actor: actorOf(req), roles: req.staff!.roles });
  }

  @Get('verify')
  @Roles('auditor', 'admin')
  @ApiOperation({
    summary: 'Re-check every hash chain and checkpoint; recorded as an audit.verify event',
  })
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(@Actor() actor: ActorContext): Promise<AuditVerificationDto> {
    return this.audit.verifyAs(actor);
  }
}
