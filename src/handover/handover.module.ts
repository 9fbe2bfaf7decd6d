import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { HandoverFamilyFacts } from './handover-family-facts.js';
import { InquiriesModule } from '../inquiries/inquiries.module.js';
import { HandoverController } from './handover.controller.js';
import { HandoverGuards } from './handover.guards.js';
import { HandoverLocationsService } from './handover-locations.service.js';
import { HandoverService } from './handover.service.js';

// The handover in Kyiv: places, appointments, the two officials' completion, the act.
@Module({
  imports: [AuditModule, InquiriesModule, DisclosureModule],
  controllers: [HandoverController],
  providers: [HandoverService, HandoverLocationsService, HandoverGuards, HandoverFamilyFacts],
})
export class HandoverModule {}
