import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { TravelFamilyFacts } from './travel-family-facts.js';
import { InquiriesModule } from '../inquiries/inquiries.module.js';
import { MailModule } from '../mail/mail.module.js';
import { InquiryTravelController, TravelController } from './travel.controller.js';
import { CrossingOverdueNotifier } from './crossing-overdue.notifier.js';
import { TravelGuards } from './travel.guards.js';
import { TravelPlanService } from './travel-plan.service.js';
import { TravelService } from './travel.service.js';

// The family's journey through Poland to Kyiv: crossing points, the plan, its steps.
@Module({
  imports: [AuditModule, InquiriesModule, MailModule, DisclosureModule],
  controllers: [TravelController, InquiryTravelController],
  providers: [
    TravelService,
    TravelPlanService,
    TravelGuards,
    TravelFamilyFacts,
    CrossingOverdueNotifier,
  ],
  exports: [TravelService, TravelPlanService],
})
export class TravelModule {}
