import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { IntakeQuarantineService } from './intake-quarantine.service.js';
import { IntakeController } from './intake.controller.js';
import { IntakeService } from './intake.service.js';
import { IntakeSweeper } from './intake-sweeper.js';

// Mail in: one pipeline behind every door (the webhook; IMAP to come).
@Module({
  imports: [AuditModule, MailModule],
  controllers: [IntakeController],
  providers: [IntakeService, IntakeQuarantineService, IntakeSweeper],
})
export class IntakeModule {}
