import type { AuditAction } from '../audit/audit-actions.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { HOLD_EXPLAINED } from '../disclosure/disclosure.policy.js';
import type { ComposeEmailDto, ListOutboxQuery } from './dto/mail.dto.js';

export interface OutboxItem {
  id: string;
  eventType: string;
  inquiryId: string | null;
  reference: string | null;
  recipientKind: string;
  state: string;
  attempts: number;
  lastError: string | null;
  // When the disclosure gate held it back or gave it up: its reason, as a stable code.
  gateReason: string | null;
  subject: string | null;
  messageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

// The gate's reasons by the words it records them in.
const GATE_REASON_OF = new Map(Object.entries(HOLD_EXPLAINED).map(([code, text]) => [text, code]));
const withGateReason = (item: Omit<OutboxItem, 'gateReason'>): OutboxItem => ({
  ...item,
  gateReason: (item.lastError && GATE_REASON_OF.get(item.lastError)) ?? null,
});

// What a member of staff may see of a message: no address, no body; the subject as sent (or, for
// a caseworker's letter not sent yet, as written).
const ITEMS = `SELECT o.id, o.event_type AS "eventType", o.inquiry_id AS "inquiryId", i.reference,
    o.recipient_kind AS "recipientKind", o.state, o.attempts, o.last_error AS "lastError",
    coalesce(o.subject, CASE WHEN o.event_type = 'family.message' THEN o.payload ->> 'subject' END)
      AS subject, o.message_id AS "messageId", o.created_at AS "createdAt", o.sent_at AS "sentAt"
  FROM outbox_message o LEFT JOIN inquiry i ON i.id = o.inquiry_id`;

const notFound = (what: string, id: string) =>
  new DomainException('not_found', `No such ${what}`, { detail: `No ${what} ${id}.` });

// What people do with mail: write to a family from their case, see what failed, send it again
// or give it up. Every one of these is audited; the sending itself is MailSender's.
@Injectable()
export class MailDeliveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly gate: DisclosureGate,
    private readonly audit: AuditService,
  ) {}

  // A caseworker's own words to the inquirer, in the templates' frame (greeting, signature,
  // footer, the case reference in the subject), through the disclosure gate (it goes only to
  // the family's confirmed addresses), the same outbox and threading.
  async compose(
    inquiryId: string,
    dto: ComposeEmailDto,
    actor: ActorContext,
  ): Promise<{ id: string; state: string }> {
    return this.dataSource.transaction(async (manager) => {
      const [inquiry] = (await manager.query(
        `SELECT i.id, i.reference, r.id AS inquirer_id, cardinality(r.emails) AS emails
         FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id WHERE i.id = $1 FOR SHARE OF i`,
        [inquiryId],
      )) as { id: string; reference: string; inquirer_id: string; emails: number }[];
      if (!inquiry) throw notFound('inquiry', inquiryId);
      if (!inquiry.emails) {
        throw new DomainException('no_email_address', 'The inquirer has no email address', {
          detail: 'Add an email address to the inquirer, or call instead.',
        });
      }
      const queued = await this.gate.notify(manager, {
        inquiryId,
        notice: 'family.message',
        fields: { subject: dto.subject, body: dto.body, authorId: actor.actor },
        actor,
      });
      await this.audit.appendInTransaction(manager, {
        action: 'mail.compose',
        actor,
        entityType: 'outbox_message',
        entityId: queued.id,
        inquiryId,
        after: { event: 'family.message' },
      });
      return {
        id: queued.id,
        state:
          queued.outcome === 'send' ? 'pending' : queued.outcome === 'hold' ? 'held' : 'suppressed',
      };
    });
  }

  async list(query: ListOutboxQuery): Promise<{
    items: OutboxItem[];
    total: number;
    page: number;
    pageSize: number;
  }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.state) where.push(`o.state = $${params.push(query.state)}`);
    if (query.inquiryId) where.push(`o.inquiry_id = $${params.push(query.inquiryId)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const items = (await this.dataSource.query(
      `${ITEMS} ${filter}
       ORDER BY o.created_at DESC, o.id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.pageSize, (query.page - 1) * query.pageSize],
    )) as Omit<OutboxItem, 'gateReason'>[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM outbox_message o ${filter}`,
      params,
    )) as { total: number }[];
    return { items: items.map(withGateReason), total, page: query.page, pageSize: query.pageSize };
  }

  // A failed or suppressed message, queued again now with a fresh count of attempts (and the
  // same Message-ID).
  retry(id: string, actor: ActorContext): Promise<OutboxItem> {
    return this.change(id, actor, {
      from: ['failed', 'suppressed'],
      set: `state = 'pending', attempts = 0, available_at = now(), last_error = NULL`,
      action: 'mail.retry_requested',
    });
  }

  cancel(id: string, actor: ActorContext, reason?: string): Promise<OutboxItem> {
    return this.change(id, actor, {
      from: ['pending', 'failed', 'suppressed', 'held'],
      set: `state = 'cancelled'`,
      action: 'mail.cancel',
      reason,
    });
  }

  private async change(
    id: string,
    actor: ActorContext,
    how: { from: string[]; set: string; action: AuditAction; reason?: string },
  ): Promise<OutboxItem> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT state, inquiry_id FROM outbox_message WHERE id = $1 FOR UPDATE`,
        [id],
      )) as { state: string; inquiry_id: string | null }[];
      if (!row) throw notFound('outbox message', id);
      if (!how.from.includes(row.state)) {
        throw new DomainException('conflict', `Not possible for a message that is ${row.state}`, {
          detail: `Only a message that is ${how.from.join(' or ')} can be changed this way.`,
          extensions: { state: row.state },
        });
      }
      await manager.query(`UPDATE outbox_message SET ${how.set} WHERE id = $1`, [id]);
      await this.audit.appendInTransaction(manager, {
        action: how.action,
        actor,
        entityType: 'outbox_message',
        entityId: id,
        inquiryId: row.inquiry_id ?? undefined,
        before: { state: row.state },
        after: {
          state: how.action === 'mail.cancel' ? 'cancelled' : 'pending',
          reason: how.reason ?? null,
        },
      });
      const [changed] = (await manager.query(`${ITEMS} WHERE o.id = $1`, [id])) as Omit<
        OutboxItem,
        'gateReason'
      >[];
      return withGateReason(changed);
    });
  }
}
