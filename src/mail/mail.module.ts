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
    // Notices and letters the family was sent (by email, or told by phone).
    this.caseRecords.converse({
      scope: 'letters',
      sql: `SELECT o.id, o.sent_at, coalesce(o.channel, 'email'), 'outbound', o.inquiry_id,
          NULL::uuid, o.subject, NULL, NULL::int, NULL, NULL::int, o.event_type, NULL::boolean
        FROM outbox_message o
        WHERE o.inquiry_id = ANY($1::uuid[]) AND o.recipient_kind = 'inquirer'
          AND o.state = 'sent'`,
    });
  }
}
