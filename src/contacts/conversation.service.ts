import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { mayRead } from '../common/decorators/access-policy.decorator.js';
import type { ActorContext } from '../common/request-context.js';
import { personOf } from '../people/person-resolution.js';
import type { CallDirection, MessageChannel } from './contacts.vocabulary.js';
import { FamilyMessage } from './family-message.entity.js';
import { casesOfPerson, findInquiryOrFail } from '../inquiries/case-lookup.js';
import {
  CaseRecordsRegistry,
  type ConversationPart,
} from '../common/case-records/case-records.registry.js';

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

// The columns every part selects, in order (see ConversationPart).
const COLUMNS = `id, at, channel, direction, "inquiryId", "staffId", subject, text, attachments,
  outcome, "durationSeconds", event, "needsReview"`;

// This module's parts of the conversation: calls, and visits and letters on paper (the other
// channels register theirs with CaseRecordsRegistry).
export const CONVERSATION_PARTS: ConversationPart[] = [
  {
    scope: 'contacts',
    sql: `SELECT c.id, c.occurred_at, 'phone', c.direction, c.inquiry_id, c.staff_id, NULL,
        left(c.notes, 2000), NULL::int, c.outcome, c.duration_seconds, NULL, NULL::boolean
      FROM call c WHERE c.inquiry_id = ANY($1::uuid[])`,
  },
  {
    scope: 'contacts',
    sql: `SELECT m.id, m.occurred_at, m.channel, m.direction, m.inquiry_id, m.recorded_by,
        NULL, left(m.text, 2000), NULL::int, NULL, NULL::int, NULL, NULL::boolean
      FROM family_message m WHERE m.inquiry_id = ANY($1::uuid[])`,
  },
];

// A person's conversation: every exchange with them on any of their inquiries, newest first —
// letters they wrote and we sent, notices told by phone, calls, visits, letters on paper — each
// part shown to the roles that may read it. Each channel keeps its own records and registers its
// part (CaseRecordsRegistry); visits and letters on paper are recorded here.
@Injectable()
export class ConversationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly caseRecords: CaseRecordsRegistry,
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
      const cases = await casesOfPerson(manager, person.id);
      const references = new Map(cases.map((c) => [c.id, c.reference]));
      const parts = this.caseRecords.conversation
        .filter((p) => mayRead(roles, p.scope))
        .map((p) => p.sql);
      const rows =
        parts.length && cases.length
          ? ((await manager.query(
              `SELECT * FROM (${parts.join(' UNION ALL ')}) AS c(${COLUMNS})
               ORDER BY at DESC, id LIMIT 500`,
              [cases.map((c) => c.id)],
            )) as Omit<ConversationEntry, 'reference'>[])
          : [];
      const items = rows.map((r) => ({ ...r, reference: references.get(r.inquiryId)! }));
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
