import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import type { Call } from './call.entity.js';
import type { Callback } from './callback.entity.js';
import { CallbacksService } from './callbacks.service.js';
import { CallsService } from './calls.service.js';
import { LogCallDto } from './dto/log-call.dto.js';
import { ScheduleCallbackDto } from './dto/schedule-callback.dto.js';

// Calls and callbacks of one inquiry.
@ApiTags('contacts')
@Controller('inquiries/:id')
export class InquiryContactsController {
  constructor(
    private readonly calls: CallsService,
    private readonly callbacks: CallbacksService,
  ) {}

  @Post('calls')
  @Roles('intake', 'caseworker', 'supervisor')
  logCall(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: LogCallDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ): Promise<Call> {
    return this.calls.log({ ...dto, inquiryId, staffId: req.staff!.id, actor });
  }

  @Get('calls')
  @Reads('contacts')
  listCalls(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<Call[]> {
    return this.calls.listForInquiry(inquiryId, actor);
  }

  @Post('callbacks')
  @Roles('intake', 'caseworker', 'supervisor')
  scheduleCallback(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: ScheduleCallbackDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ): Promise<Callback> {
    return this.callbacks.schedule({ ...dto, inquiryId, staffId: req.staff!.id, actor });
  }

  @Get('callbacks')
  @Reads('contacts')
  listCallbacks(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<Callback[]> {
    return this.callbacks.listForInquiry(inquiryId, actor);
  }
}
