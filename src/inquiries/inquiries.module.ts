import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { MailModule } from '../mail/mail.module.js';
import { InquiryFamilyFacts } from './inquiry-family-facts.js';
import { InquiriesController } from './inquiries.controller.js';
import { InquiriesService } from './inquiries.service.js';
import { InquiryDuplicatesService } from './inquiry-duplicates.service.js';
import { InquiryEditingService } from './inquiry-editing.service.js';
import { InquiryOpening } from './inquiry-opening.service.js';
import { PersonsController } from './persons.controller.js';
import { PersonsService } from './persons.service.js';
import { SearchesService } from './searches.service.js';
import { InquiryTransitionService } from './inquiry-transition.service.js';
import { SoughtPersonCompleteGuard } from './sought-person-complete.guard.js';
import { InquiryGuardRegistry } from './state-machine/inquiry-guard.registry.js';

// Inquiries and the state machine. Modules that own guard facts import this module and register
// their guards with InquiryGuardRegistry.
@Module({
  imports: [AuditModule, MailModule, DisclosureModule],
  controllers: [InquiriesController, PersonsController],
  providers: [
    InquiriesService,
    InquiryTransitionService,
    InquiryEditingService,
    InquiryDuplicatesService,
    InquiryOpening,
    PersonsService,
    SearchesService,
    InquiryGuardRegistry,
    SoughtPersonCompleteGuard,
    InquiryFamilyFacts,
  ],
  exports: [InquiryGuardRegistry, InquiryTransitionService, InquiryOpening],
})
export class InquiriesModule {}
