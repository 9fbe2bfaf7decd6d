import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { ContactChangesService } from './contact-changes.service.js';
import type { ContactChangeView } from './contact-trust.service.js';
import { RejectContactChangeDto } from './dto/contact-change.dto.js';

// New addresses and numbers of verified families, waiting for a supervisor.
@ApiTags('disclosure')
@Controller()
export class ContactChangesController {
  constructor(private readonly changes: ContactChangesService) {}

  @Get('inquiries/:id/contact-changes')
  @Reads('case')
  list(@Param('id', ParseUUIDPipe) inquiryId: string): Promise<ContactChangeView[]> {
    return this.changes.list(inquiryId);
  }

  @Post('contact-changes/:changeId/approve')
  @HttpCode(200)
  @Roles('supervisor')
  approve(
    @Param('changeId', ParseUUIDPipe) id: string,
    @Actor() actor: ActorContext,
  ): Promise<ContactChangeView> {
    return this.changes.approve(id, actor);
  }

  @Post('contact-changes/:changeId/reject')
  @HttpCode(200)
  @Roles('supervisor')
  reject(
    @Param('changeId', ParseUUIDPipe) id: string,
    @Body() dto: RejectContactChangeDto,
    @Actor() actor: ActorContext,
  ): Promise<ContactChangeView> {
    return this.changes.reject(id, dto.reason, actor);
  }
}
