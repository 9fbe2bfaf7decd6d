import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import { Module, type OnModuleInit } from '@nestjs/common';
import { InquiriesModule } from '../inquiries/inquiries.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { IntakeQuarantineService } from './intake-quarantine.service.js';
import { IntakeReviewService } from './intake-review.service.js';
import { IntakeController } from './intake.controller.js';
import { InboundMessagesController } from './inbound-messages.controller.js';
import { InboundMessagesService } from './inbound-messages.service.js';
import { IntakeService } from './intake.service.js';
import { IntakeSweeper } from './intake-sweeper.js';
import { MailParser } from './mail-parser.js';
import { ImapIntakeService } from './imap/imap-intake.service.js';

// Mail in: one pipeline behind both doors, the webhook and IMAP.
@Module({
  imports: [AuditModule, MailModule, InquiriesModule],
  controllers: [IntakeController, InboundMessagesController],
  providers: [
    MailParser,
    InboundMessagesService,
    IntakeService,
    IntakeQuarantineService,
    IntakeReviewService,
    IntakeSweeper,
    ImapIntakeService,
  ],
  exports: [ImapIntakeService],
})
export class IntakeModule implements OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    this.caseRecords.register(['inbound_email']);
    // Letters from the family that reached a case (not those waiting for review elsewhere).
    this.caseRecords.converse({
      scope: 'inbound_mail',
      sql: `SELECT e.id, e.received_at AS at, 'email' AS channel, 'inbound' AS direction,
          e.inquiry_id AS "inquiryId", NULL::uuid AS "staffId", e.subject,
          left(e.text_body, 2000) AS text,
          (SELECT count(*)::int FROM inbound_attachment a WHERE a.inbound_email_id = e.id)
            AS attachments,
          NULL AS outcome, NULL::int AS "durationSeconds", NULL AS event,
          e.needs_review AS "needsReview"
        FROM inbound_email e
        WHERE e.inquiry_id = ANY($1::uuid[]) AND e.outcome IN ('opened', 'attached')`,
    });
  }
}
