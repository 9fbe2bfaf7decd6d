import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import {
  CompleteHandoverDto,
  HandoverLocationDto,
  ReasonDto,
  RescheduleHandoverDto,
  ScheduleHandoverDto,
  UpdateHandoverLocationDto,
} from './dto/handover.dto.js';
import { renderHandoverAct } from './handover-act.html.js';
import type { HandoverAppointment } from './handover-appointment.entity.js';
import type { HandoverLocation } from './handover-location.entity.js';
import { HandoverLocationsService } from './handover-locations.service.js';
import { HandoverService } from './handover.service.js';

const CASE_STAFF = ['caseworker', 'supervisor'] as const;

// Handover places (admins keep them) and appointments (the case's staff).
@ApiTags('handover')
@Controller()
export class HandoverController {
  constructor(
    private readonly handover: HandoverService,
    private readonly places: HandoverLocationsService,
    private readonly config: AppConfig,
  ) {}

  @Get('handover/locations')
  @Roles('intake', 'caseworker', 'supervisor', 'auditor', 'admin')
  locations(): Promise<HandoverLocation[]> {
    return this.places.locations();
  }

  @Post('handover/locations')
  @Roles('admin')
  addLocation(@Body() dto: HandoverLocationDto, @Actor() actor: ActorContext) {
    return this.places.addLocation(dto, actor);
  }

  @Patch('handover/locations/:locationId')
  @Roles('admin')
  updateLocation(
    @Param('locationId', ParseUUIDPipe) id: string,
    @Body() dto: UpdateHandoverLocationDto,
    @Actor() actor: ActorContext,
  ) {
    return this.places.updateLocation(id, dto, actor);
  }

  @Get('inquiries/:id/handover-appointments')
  @Reads('handover')
  appointments(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<HandoverAppointment[]> {
    return this.handover.appointments(inquiryId, actor);
  }

  @Post('inquiries/:id/handover-appointments')
  @Roles(...CASE_STAFF)
  schedule(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: ScheduleHandoverDto,
    @Actor() actor: ActorContext,
  ) {
    return this.handover.schedule(inquiryId, dto, actor);
  }

  @Patch('handover-appointments/:appointmentId')
  @Roles(...CASE_STAFF)
  reschedule(
    @Param('appointmentId', ParseUUIDPipe) id: string,
    @Body() dto: RescheduleHandoverDto,
    @Actor() actor: ActorContext,
  ): Promise<HandoverAppointment> {
    return this.handover.reschedule(id, dto, actor);
  }

  @Post('handover-appointments/:appointmentId/arrival-override')
  @HttpCode(200)
  @Roles('supervisor')
  overrideArrival(
    @Param('appointmentId', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
    @Actor() actor: ActorContext,
  ) {
    return this.handover.overrideArrival(id, dto.reason, actor);
  }

  @Post('handover-appointments/:appointmentId/postpone')
  @HttpCode(200)
  @Roles(...CASE_STAFF)
  postpone(
    @Param('appointmentId', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
    @Actor() actor: ActorContext,
  ) {
    return this.handover.postpone(id, dto.reason, actor);
  }

  @Post('handover-appointments/:appointmentId/fail')
  @HttpCode(200)
  @Roles(...CASE_STAFF)
  fail(
    @Param('appointmentId', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
    @Actor() actor: ActorContext,
  ) {
    return this.handover.fail(id, dto.reason, actor);
  }

  @Post('handover-appointments/:appointmentId/complete')
  @HttpCode(200)
  @Roles(...CASE_STAFF)
  complete(
    @Param('appointmentId', ParseUUIDPipe) id: string,
    @Body() dto: CompleteHandoverDto,
    @Actor() actor: ActorContext,
  ) {
    return this.handover.complete(id, dto, actor);
  }

  @Post('handover-appointments/:appointmentId/confirm')
  @HttpCode(200)
  @Roles(...CASE_STAFF)
  confirm(@Param('appointmentId', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.handover.confirm(id, actor);
  }

  // The act as a page to print (HTML); looking at it is audited.
  @Get('handover-appointments/:appointmentId/act')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Reads('handover')
  async act(
    @Param('appointmentId', ParseUUIDPipe) id: string,
    @Actor() actor: ActorContext,
  ): Promise<string> {
    return renderHandoverAct(await this.handover.act(id, actor), this.config.mail.timeZone);
  }
}
