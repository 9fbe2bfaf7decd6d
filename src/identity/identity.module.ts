import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { IDENTITY_RECORDS, beforeIdentityMove } from './identity-records.util.js';
import { Module, type OnModuleInit } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { InquiriesModule } from '../inquiries/inquiries.module.js';
import { CountersignReviewService } from './countersign-review.service.js';
import { IdentityFamilyFacts } from './identity-family-facts.js';
import { ConsentService } from './consent.service.js';
import { CountersignController, IdentityController } from './identity.controller.js';
import { FraudSignalsService } from './fraud-signals.service.js';
import { IdentityGuards } from './identity.guards.js';
import { MatchesService } from './matches.service.js';
import { MatchingService } from './matching.service.js';
import { VerificationService } from './verification.service.js';

// Confirming who is who before a family hears anything about detention: registry matches
// (four eyes), the inquirer's verification (four eyes), the prisoner's consent, and the state
// machine's guards that read them.
@Module({
  imports: [AuditModule, InquiriesModule, DisclosureModule],
  controllers: [IdentityController, CountersignController],
  providers: [
    MatchingService,
    MatchesService,
    VerificationService,
    ConsentService,
    IdentityGuards,
    IdentityFamilyFacts,
    FraudSignalsService,
    CountersignReviewService,
  ],
  exports: [MatchingService],
})
export class IdentityModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    this.caseRecords.register(IDENTITY_RECORDS, beforeIdentityMove);
  }
}
