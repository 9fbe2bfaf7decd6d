import { FamilyChannels } from '../mail/family-channels.js';
import { CONVERSATION_PARTS } from './conversation.service.js';
import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { Module, type OnModuleInit } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { MailModule } from '../mail/mail.module.js';
import { CallbacksController } from './callbacks.controller.js';
import { CallbacksService } from './callbacks.service.js';
import { CallsService } from './calls.service.js';
import { InquiryContactsController } from './inquiry-contacts.controller.js';
import { OverdueCallbackNotifier } from './overdue-callback.notifier.js';
import { OverdueCallbacksService } from './overdue-callbacks.service.js';
import { ConversationController } from './conversation.controller.js';
import { ConversationService } from './conversation.service.js';

// Phone calls with families and the callbacks promised to them, on the case timeline.
@Module({
  imports: [AuditModule, MailModule, DisclosureModule],
  controllers: [InquiryContactsController, CallbacksController, ConversationController],
  providers: [
    CallsService,
    CallbacksService,
    ConversationService,
    OverdueCallbacksService,
    OverdueCallbackNotifier,
  ],
})
export class ContactsModule implements OnModuleInit {
  constructor(
    private readonly caseRecords: CaseRecordsRegistry,
    private readonly channels: FamilyChannels,
    private readonly callbacks: CallbacksService,
  ) {}

  onModuleInit(): void {
    this.caseRecords.register(['call', 'callback', 'family_message']);
    for (const part of CONVERSATION_PARTS) this.caseRecords.converse(part);
    // A family who hear from us by phone: each notice is a call for staff to make.
    this.channels.register('phone', (notice) => this.callbacks.forNotice(notice));
  }
}
