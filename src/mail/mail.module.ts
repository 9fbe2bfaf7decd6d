import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { Module, type OnModuleInit } from '@nestjs/common';
import { FamilyChannels } from './family-channels.js';
import { OutboxService } from './outbox.service.js';

// The outbox other modules write to, in their own transactions. Sending: MailDeliveryModule.
@Module({
  providers: [OutboxService, FamilyChannels],
  exports: [OutboxService, FamilyChannels],
})
export class MailModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    this.caseRecords.register(['outbox_message']);
  }
}
