import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { mayRead, type ReadScope } from '../common/decorators/access-policy.decorator.js';
import type { ActorContext } from '../common/request-context.js';
import { personOf } from '../people/person-resolution.js';
import type { CallDirection, MessageChannel } from './contacts.vocabulary.js';
import { FamilyMessage } from './family-message.entity.js';
import { findInquiryOrFail } from '../inquiries/case-lookup.js';

// One exchange with the family, whatever its channel.
export interface ConversationEntry {
  id: string;
  at: Date;
  channel: 'email' | 'phone' | MessageChannel;
  direction: CallDirection;
  // The case it belongs to.
  inquiryId: string;
  reference: string;
  // A staff member's id, or null: the family (inbound) or the service (an automatic letter).
  staffId: string | null;
  // The family's own words or a staff member's record of them (at most 2,000 characters).
  subject: string | null;
  text: string | null;
  // Email in: attachments and whether it waits for review; phone: the call's outcome and
  // duration; a letter out: its event. Null where they do not apply.
  attachments: number | null;
  outcome: string | null;
  durationSeconds: number | null;
  event: string | null;
  needsReview: boolean | null;
}

// Each part of the conversation and the read scope whose roles see it (the routes' own table).
const PARTS: { scope: ReadScope; sql: string }[] = [
  {
    scope: 'inbound_mail',
    sql: `SELECT e.id, e.received_at AS at, 'email' AS channel, 'inbound' AS direction,
        i.id AS "inquiryId", i.reference, NULL::uuid AS "staffId", e.subject,
        left(e.text_body, 2000) AS text,
        (SELECT count(*)::int FROM inbound_attachment a WHERE a.inbound_email_id = e.id) AS attachments,
        NULL AS outcome, NULL::int AS "durationSeconds", NULL AS event, e.needs_review AS "needsReview"
      FROM inquiry i JOIN inbound_email e ON e.inquiry_id = i.id
      WHERE i.inquirer_id = $1 AND e.outcome IN ('opened', 'attached')`,
  },
  {
    scope: 'letters',
    sql: `SELECT o.id, o.sent_at AS at, coalesce(o.channel, 'email'), 'outbound', i.id, i.reference,
        NULL::uuid, o.subject,
        NULL, NULL::int, NULL, NULL::int, o.event_type, NULL::boolean
      FROM inquiry i JOIN outbox_message o ON o.inquiry_id = i.id
      WHERE i.inquirer_id = $1 AND o.recipient_kind = 'inquirer' AND o.state = 'sent'`,
  },
  {
    scope: 'contacts',
    sql: `SELECT c.id, c.occurred_at, 'phone', c.direction, i.id, i.reference, c.staff_id, NULL,
        left(c.notes, 2000), NULL::int, c.outcome, c.duration_seconds, NULL, NULL::boolean
      FROM inquiry i JOIN call c ON c.inquiry_id = i.id WHERE i.inquirer_id = $1`,
  },
  {
    scope: 'contacts',
    sql: `SELECT m.id, m.occurred_at, m.channel, m.direction, i.id, i.reference, m.recorded_by,
        NULL, left(m.text, 2000), NULL::int, NULL, NULL::int, NULL, NULL::boolean
      FROM inquiry i JOIN family_message m ON m.inquiry_id = i.id WHERE i.inquirer_id = $1`,
  },
];

// A person's conversation: every exchange with them on any of their inquiries, newest first —
// letters they wrote and we sent, calls, visits, letters on paper — each part shown to the roles
// that may read it. Visits and letters on paper are recorded here; email and calls keep their
// own records (intake, the outbox, calls).
@Injectable()
export class ConversationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async record(command: {
    inquiryId: string;
    channel: MessageChannel;
    direction: CallDirection;
    occurredAt?: Date;
    text: string;
    staffId: string;
    actor: ActorContext;
  }): Promise<FamilyMessage> {
    return this.dataSource.transaction(async (manager) => {
      await findInquiryOrFail(manager, command.inquiryId);
      const repository = manager.getRepository(FamilyMessage);
      const message = await repository.save(
        repository.create({
          inquiryId: command.inquiryId,
          channel: command.channel,
          direction: command.direction,
          occurredAt: command.occurredAt ?? new Date(),
          text: command.text,
          recordedBy: command.staffId,
        }),
      );
      // What and when, never the words (the audit trail cannot be erased).
      await this.audit.appendInTransaction(manager, {
        action: 'message.record',
        actor: command.actor,
        entityType: 'family_message',
        entityId: message.id,
        inquiryId: message.inquiryId,
        after: { channel: message.channel, direction: message.direction },
      });
      return message;
    });
  }

  async of(
    personId: string,
    actor: ActorContext,
    roles: readonly string[],
  ): Promise<{ items: ConversationEntry[] }> {
    // Read committed: two reads by one person (their read records share a stream) never fail
    // each other as repeatable-read transactions would.
    return this.dataSource.transaction(async (manager) => {
      const person = { id: await personOf(manager, personId) };
      const parts = PARTS.filter((p) => mayRead(roles, p.scope)).map((p) => p.sql);
      const items = parts.length
        ? ((await manager.query(`${parts.join(' UNION ALL ')} ORDER BY at DESC, id LIMIT 500`, [
            person.id,
          ])) as ConversationEntry[])
        : [];
      await this.audit.recordReadInTransaction(manager, {
        action: 'conversation.read',
        actor,
        entityType: 'inquirer',
        entityId: person.id,
        after: { count: items.length },
      });
      return { items };
    });
  }
}
