import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { TRUST_RECORDS, beforeTrustMove } from './contact-trust.service.js';
import { Module, type OnModuleInit } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ContactChangesService } from './contact-changes.service.js';
import { ContactTrustService } from './contact-trust.service.js';
import { ContactChangesController } from './disclosure.controller.js';
import { DisclosureGate } from './disclosure.gate.js';
import { FamilyFactsRegistry } from './family-facts.registry.js';

// What a family may be told, decided in one place: the gate, the facts it reads (registered by
// the modules that own them), the family's trusted addresses. Depends on no feature module:
// every module that speaks to a family depends on this one.
@Module({
  imports: [AuditModule, MailModule],
  controllers: [ContactChangesController],
  providers: [DisclosureGate, FamilyFactsRegistry, ContactTrustService, ContactChangesService],
  exports: [DisclosureGate, FamilyFactsRegistry, ContactTrustService],
})
export class DisclosureModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    this.caseRecords.register(TRUST_RECORDS, beforeTrustMove);
  }
}
