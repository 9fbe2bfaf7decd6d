import {
  Body,
  Controller,
  Get,
  Header,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import type { BorderCrossing } from './border-crossing.entity.js';
import {
  ManifestQuery,
  PatchTravelPlanDto,
  RecordTravelEventDto,
  SaveTravelPlanDto,
  UpdateCrossingDto,
} from './dto/travel.dto.js';
import type { TravelEvent } from './travel-event.entity.js';
import { TravelPlanService, type TravelPlanView } from './travel-plan.service.js';
import { TravelService, type OverdueCrossing } from './travel.service.js';

// The reference list of crossing points, and journeys overdue at the border.
@ApiTags('travel')
@Controller('travel')
export class TravelController {
  constructor(private readonly travel: TravelService) {}

  @Get('crossings')
  @Roles('intake', 'caseworker', 'supervisor', 'auditor', 'admin')
  crossings(): Promise<BorderCrossing[]> {
    return this.travel.crossings();
  }

  @Patch('crossings/:crossingId')
  @Roles('admin')
  updateCrossing(
    @Param('crossingId') id: string,
    @Body() dto: UpdateCrossingDto,
    @Actor() actor: ActorContext,
  ): Promise<BorderCrossing> {
    return this.travel.updateCrossing(id, dto, actor);
  }

  // For a crossing point and a day: as a page to print, or as CSV (format=csv).
  @Get('manifest')
  @Header('Cache-Control', 'no-store')
  @Roles('supervisor')
  async manifest(
    @Query() query: ManifestQuery,
    @Actor() actor: ActorContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const format = query.format ?? 'html';
    res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/html; charset=utf-8');
    if (format === 'csv') {
      res.attachment(`manifest-${query.crossingPointId}-${query.date}.csv`);
    }
    return this.travel.manifest(query.crossingPointId, query.date, format, actor);
  }

  @Get('overdue')
  @Roles('caseworker', 'supervisor')
  overdue(): Promise<OverdueCrossing[]> {
    return this.travel.overdue();
  }
}

// A case's journey: its plan and the steps the family has made.
@ApiTags('travel')
@Controller('inquiries/:id')
export class InquiryTravelController {
  constructor(
    private readonly travel: TravelService,
    private readonly plans: TravelPlanService,
  ) {}

  @Get('travel-plan')
  @Reads('travel')
  async plan(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<TravelPlanView> {
    const plan = await this.plans.plan(inquiryId, actor);
    if (!plan) throw new DomainException('not_found', 'The case has no travel plan yet');
    return plan;
  }

  // The plan whole (a field left out is cleared).
  @Put('travel-plan')
  @Roles('caseworker', 'supervisor')
  savePlan(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: SaveTravelPlanDto,
    @Actor() actor: ActorContext,
  ): Promise<TravelPlanView> {
    return this.plans.savePlan(inquiryId, dto, actor);
  }

  // Part of the plan (a field left out is kept, null clears it).
  @Patch('travel-plan')
  @Roles('caseworker', 'supervisor')
  patchPlan(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: PatchTravelPlanDto,
    @Actor() actor: ActorContext,
  ): Promise<TravelPlanView> {
    return this.plans.patchPlan(inquiryId, dto, actor);
  }

  @Get('travel-events')
  @Reads('travel')
  events(@Param('id', ParseUUIDPipe) inquiryId: string): Promise<TravelEvent[]> {
    return this.travel.events(inquiryId);
  }

  @Post('travel-events')
  @Roles('caseworker', 'supervisor')
  recordEvent(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: RecordTravelEventDto,
    @Actor() actor: ActorContext,
  ): Promise<TravelEvent> {
    return this.travel.recordEvent(inquiryId, dto, actor);
  }
}
