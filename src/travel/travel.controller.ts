import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import type { BorderCrossing } from './border-crossing.entity.js';
import { RecordTravelEventDto, SaveTravelPlanDto, UpdateCrossingDto } from './dto/travel.dto.js';
import type { TravelEvent } from './travel-event.entity.js';
import { TravelService, type OverdueCrossing, type TravelPlanView } from './travel.service.js';

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
  constructor(private readonly travel: TravelService) {}

  @Get('travel-plan')
  @Roles('caseworker', 'supervisor', 'auditor')
  async plan(@Param('id', ParseUUIDPipe) inquiryId: string): Promise<TravelPlanView> {
    const plan = await this.travel.plan(inquiryId);
    if (!plan) throw new DomainException('not_found', 'The case has no travel plan yet');
    return plan;
  }

  @Put('travel-plan')
  @Roles('caseworker', 'supervisor')
  savePlan(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: SaveTravelPlanDto,
    @Actor() actor: ActorContext,
  ): Promise<TravelPlanView> {
    return this.travel.savePlan(inquiryId, dto, actor);
  }

  @Get('travel-events')
  @Roles('caseworker', 'supervisor', 'auditor')
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
