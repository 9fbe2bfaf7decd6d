import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { InquiriesModule } from '../inquiries/inquiries.module.js';
import { PrivacyController } from './privacy.controller.js';
import { Pseudonymiser } from './pseudonymiser.js';
import { RetentionService } from './retention.service.js';
import { SubjectAccessService } from './subject-access.service.js';

// Retention (pseudonymising ended cases past their period), subject access and erasure.
@Module({
  imports: [AuditModule, InquiriesModule, DisclosureModule],
  controllers: [PrivacyController],
  providers: [Pseudonymiser, RetentionService, SubjectAccessService],
  exports: [Pseudonymiser, RetentionService],
})
export class PrivacyModule {}
