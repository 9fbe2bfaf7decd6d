import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { Module, type OnModuleInit } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';

// The outbox other modules write to, in their own transactions. Sending: MailDeliveryModule.
@Module({
  providers: [OutboxService],
  exports: [OutboxService],
})
export class MailModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    this.caseRecords.register(['outbox_message']);
  }
}
