import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { StatusModule } from '../status/status.module.js';
import { MailDeliveryService } from './mail-delivery.service.js';
import { MailRenderer } from './mail-renderer.js';
import { MailSender } from './mail-sender.js';
import { MailController } from './mail.controller.js';
import { MailModule } from './mail.module.js';

// Mail leaving the outbox: the templates, the sender (where the role runs jobs), the API around
// it. Apart from MailModule (the outbox itself) because sending asks the disclosure gate again.
@Module({
  imports: [AuditModule, MailModule, DisclosureModule, StatusModule],
  controllers: [MailController],
  providers: [MailRenderer, MailSender, MailDeliveryService],
  exports: [MailSender, MailRenderer],
})
export class MailDeliveryModule {}
