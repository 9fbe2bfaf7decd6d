import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { InquiriesModule } from '../inquiries/inquiries.module.js';
import { IdentityController } from './identity.controller.js';
import { MatchingService } from './matching.service.js';

// Confirming who is who before a family hears anything about detention: registry matches
// (four eyes), the inquirer's verification (four eyes), the prisoner's consent, and the state
// machine's guards that read them.
@Module({
  imports: [AuditModule, InquiriesModule],
  controllers: [IdentityController],
  providers: [MatchingService],
  exports: [MatchingService],
})
export class IdentityModule {}
