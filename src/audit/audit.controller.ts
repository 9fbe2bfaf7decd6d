import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
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

  // Not audited itself: reading the trail would otherwise write to it on every page.
  @Get()
  @Roles('auditor', 'supervisor', 'admin')
  @ApiOperation({ summary: 'Audit events matching the filters, newest first' })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiBadRequestResponse({ description: 'A filter is malformed; the problem names it.' })
  list(@Query() query: ListAuditEventsDto): Promise<AuditEventPageDto> {
    return this.audit.list(query.toFilter());
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
