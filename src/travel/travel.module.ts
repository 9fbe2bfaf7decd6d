import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { Module, type OnModuleInit } from '@nestjs/common';
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
export class TravelModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    // A journey is one case's alone: a case with a travel plan is never folded into another.
    this.caseRecords.guardMerge(async ({ manager, from }) => {
      const [plan] = (await manager.query(`SELECT 1 FROM travel_plan WHERE inquiry_id = $1`, [
        from,
      ])) as unknown[];
      if (plan) {
        throw new DomainException('conflict', 'The duplicate has a journey', {
          detail: 'An inquiry with a travel plan cannot be merged.',
        });
      }
    });
  }
}
