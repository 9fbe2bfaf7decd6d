import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { Module, type OnModuleInit } from '@nestjs/common';
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
export class HandoverModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    // A handover is one case's alone: a case with an appointment is never folded into another.
    this.caseRecords.guardMerge(async ({ manager, from }) => {
      const [appointment] = (await manager.query(
        `SELECT 1 FROM handover_appointment WHERE inquiry_id = $1`,
        [from],
      )) as unknown[];
      if (appointment) {
        throw new DomainException('conflict', 'The duplicate has a journey', {
          detail: 'An inquiry with a handover appointment cannot be merged.',
        });
      }
    });
  }
}
