import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { forgetCaseKey } from '../audit/audit-case-keys.js';
import { afterCommit } from '../metrics/after-commit.js';
import type { ActorContext } from '../common/request-context.js';
import { CLOSED_STATES } from '../inquiries/state-machine/inquiry-states.js';

// What pseudonymising a case removes, table by table: every name, contact, document, free text
// and raw email of the case and its family; what stays is what reports and the audit trail need
// (statuses and their times, channel, assignee, counts of travellers, calls, callbacks,
// verifications). The inquirer's own details go only when none of their other cases still needs
// them. The case's audit-trail key goes last: the personal values its events sealed become
// unreadable, the hash chains stay intact.
const STEPS: readonly { table: string; sql: string }[] = [
  {
    table: 'sought_person',
    sql: `UPDATE sought_person SET surname = '-', given_name = '-', patronymic = NULL,
            birth_month = NULL, birth_day = NULL, place_of_birth = NULL, military_unit = NULL,
            rank = NULL, personal_number = NULL, mothers_maiden_name = NULL,
            fathers_first_name = NULL, distinguishing_marks = NULL
          WHERE inquiry_id = $1`,
  },
  { table: 'call', sql: `UPDATE call SET notes = NULL WHERE inquiry_id = $1` },
  {
    table: 'callback',
    sql: `UPDATE callback SET phone = '-', notes = NULL, closing_note = NULL WHERE inquiry_id = $1`,
  },
  {
    table: 'inquirer_verification',
    sql: `UPDATE inquirer_verification SET documents = '[]', relationship_evidence = '-',
            answers = '[]', notes = NULL WHERE inquiry_id = $1`,
  },
  {
    table: 'traveller',
    sql: `UPDATE traveller t SET full_name = '-', relationship = NULL, document_number_sealed = '-',
            document_last4 = '-'
          FROM travel_plan p WHERE p.id = t.travel_plan_id AND p.inquiry_id = $1`,
  },
  {
    table: 'travel_plan',
    sql: `UPDATE travel_plan SET origin_city = NULL, escort_name = NULL, escort_phone = NULL,
            notes = NULL WHERE inquiry_id = $1`,
  },
  { table: 'travel_event', sql: `UPDATE travel_event SET notes = NULL WHERE inquiry_id = $1` },
  {
    table: 'handover_appointment',
    sql: `UPDATE handover_appointment SET reason = NULL, arrival_override_reason = NULL
          WHERE inquiry_id = $1`,
  },
  {
    table: 'prisoner_consent',
    sql: `UPDATE prisoner_consent SET notes = NULL WHERE inquiry_id = $1`,
  },
  {
    table: 'inquiry_match',
    sql: `UPDATE inquiry_match SET explanation = '{}', reason = NULL WHERE inquiry_id = $1`,
  },
  {
    table: 'inquiry_status_history',
    sql: `UPDATE inquiry_status_history SET reason = NULL WHERE inquiry_id = $1 AND reason IS NOT NULL`,
  },
  {
    table: 'inbound_attachment',
    sql: `UPDATE inbound_attachment a SET filename = '-', reason = NULL
          FROM inbound_email e WHERE e.id = a.inbound_email_id AND e.inquiry_id = $1`,
  },
  {
    table: 'inbound_email',
    sql: `UPDATE inbound_email SET raw = '\\x'::bytea, from_address = NULL, from_name = NULL,
            subject = NULL, text_body = NULL, html_body = NULL, "references" = '{}',
            in_reply_to = NULL, authentication = NULL, reason = NULL
          WHERE inquiry_id = $1`,
  },
  {
    table: 'outbox_message',
    sql: `UPDATE outbox_message SET payload = '{}', subject = NULL, last_error = NULL,
            state = CASE WHEN state IN ('pending', 'sending', 'held') THEN 'suppressed' ELSE state END
          WHERE inquiry_id = $1`,
  },
  {
    // Stored answers to retried requests hold the case as it was created.
    table: 'idempotency_key',
    sql: `DELETE FROM idempotency_key WHERE response_body::text LIKE '%' || $1::text || '%'`,
  },
  { table: 'trusted_contact', sql: `DELETE FROM trusted_contact WHERE inquiry_id = $1` },
  {
    table: 'contact_change',
    sql: `UPDATE contact_change SET value = '-', reason = NULL,
            state = CASE WHEN state = 'pending' THEN 'superseded' ELSE state END
          WHERE inquiry_id = $1`,
  },
  {
    table: 'status_link',
    sql: `UPDATE status_link SET revoked_at = coalesce(revoked_at, now()),
            revoked_by = coalesce(revoked_by, 'system:retention')
          WHERE inquiry_id = $1 AND revoked_at IS NULL`,
  },
];

// A case's final statuses: handed over, or closed one way or another.
export const FINAL_STATES: readonly string[] = ['handed_over', ...CLOSED_STATES];

// The family's own record, once no other case of theirs still needs it.
const INQUIRER = `
  UPDATE inquirer r SET full_name = '-', phones = '{}', emails = '{}', undeliverable_emails = '{}',
    city = NULL, notes = NULL
  FROM inquiry i
  WHERE i.id = $1 AND r.id = i.inquirer_id
    AND NOT EXISTS (SELECT 1 FROM inquiry o WHERE o.inquirer_id = r.id AND o.id <> i.id
                    AND o.pseudonymised_at IS NULL)`;

export interface PseudonymisedCase {
  id: string;
  reference: string;
  status: string;
  // Rows changed per table (a dry run: would change).
  removed: Record<string, number>;
}

// Thrown to roll a dry run back once it has counted.
class DryRun extends Error {
  constructor(readonly result: PseudonymisedCase) {
    super('dry run');
  }
}

@Injectable()
export class Pseudonymiser {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // Removes a case's personal data in one transaction: all of it or none. `dryRun` does the same
  // work, counts it, and rolls it back. Only an ended case, and with `days` only one ended that
  // long ago — checked under the case's lock, since it may have been reopened since it was
  // picked. Undefined otherwise, when it is gone or already pseudonymised, or locked by someone
  // just now (the next run takes it).
  async pseudonymise(
    inquiryId: string,
    why: { actor: ActorContext; action: 'inquiry.pseudonymise' | 'inquiry.erase'; days?: number },
    options: { dryRun?: boolean; manager?: EntityManager } = {},
  ): Promise<PseudonymisedCase | undefined> {
    const work = async (manager: EntityManager) => {
      const [inquiry] = (await manager.query(
        `SELECT i.id, i.reference, i.status, h.entered_at AS closed_at
         FROM inquiry i
         JOIN inquiry_status_history h ON h.inquiry_id = i.id AND h.left_at IS NULL
         WHERE i.id = $1 AND i.pseudonymised_at IS NULL AND i.status = ANY($2::text[])
           AND ($3::int IS NULL OR h.entered_at < now() - $3 * interval '1 day')
         FOR UPDATE OF i SKIP LOCKED`,
        [inquiryId, FINAL_STATES, why.days ?? null],
      )) as { id: string; reference: string; status: string; closed_at: Date | null }[];
      if (!inquiry) return undefined;
      // The family's record is cleared by whichever of their cases goes last: its lock makes two
      // of their cases, taken at once by two replicas, go one after the other, so that the
      // second sees the first done.
      await manager.query(
        `SELECT r.id FROM inquirer r JOIN inquiry i ON i.inquirer_id = r.id WHERE i.id = $1
         FOR UPDATE OF r`,
        [inquiryId],
      );
      const removed: Record<string, number> = {};
      removed.inquirer = await changed(manager, INQUIRER, inquiryId);
      for (const step of STEPS) removed[step.table] = await changed(manager, step.sql, inquiryId);
      await manager.query(`UPDATE inquiry SET pseudonymised_at = now() WHERE id = $1`, [inquiryId]);
      // Recorded in the case's own trail (values never: counts), then its key goes: what its
      // events sealed is unreadable from here on.
      await this.audit.appendInTransaction(manager, {
        action: why.action,
        actor: why.actor,
        entityType: 'inquiry',
        entityId: inquiryId,
        inquiryId,
        after: {
          status: inquiry.status,
          closedAt: inquiry.closed_at?.toISOString() ?? null,
          ...(why.days !== undefined ? { days: why.days } : {}),
          removed,
        },
      });
      removed.audit_case_key = await changed(
        manager,
        `DELETE FROM audit_case_key WHERE inquiry_id = $1`,
        inquiryId,
      );
      afterCommit(manager, () => forgetCaseKey(inquiryId));
      const result = {
        id: inquiry.id,
        reference: inquiry.reference,
        status: inquiry.status,
        removed,
      };
      if (options.dryRun) throw new DryRun(result);
      return result;
    };
    try {
      return options.manager
        ? await work(options.manager)
        : await this.dataSource.transaction(work);
    } catch (error) {
      if (error instanceof DryRun) return error.result;
      throw error;
    }
  }
}

async function changed(manager: EntityManager, sql: string, inquiryId: string): Promise<number> {
  const [, count] = (await manager.query(sql, [inquiryId])) as [unknown, number];
  return count;
}
