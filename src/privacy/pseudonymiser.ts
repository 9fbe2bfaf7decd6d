import { Injectable } from '@nestjs/common';
import { RECORDS_OF_PERSON } from '../people/person-resolution.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { forgetCaseKey } from '../audit/audit-case-keys.js';
import { afterCommit } from '../metrics/after-commit.js';
import type { ActorContext } from '../common/request-context.js';
import { familyColumns } from '../common/personal-data.js';
import { FINAL_STATES as FINAL } from '../inquiries/state-machine/inquiry-states.js';

// What pseudonymising a case removes, table by table: every name, contact, document, free text
// and raw email of the case and its family; what stays is what reports and the audit trail need
// (statuses and their times, channel, assignee, counts of travellers, calls, callbacks,
// verifications). The inquirer's own details go only when none of their other cases still needs
// them. The case's audit-trail key goes last: the personal values its events sealed become
// unreadable, the hash chains stay intact.
interface Step {
  table: string;
  // How the table's rows of the case ($1) are found: `t` is the table.
  from?: string;
  where: string;
  // What else changes (not personal data: a letter not sent is suppressed, …).
  also?: string[];
  // The rows go (their key is the personal value).
  remove?: true;
}

const STEPS: readonly Step[] = [
  { table: 'sought_person', where: 't.inquiry_id = $1' },
  { table: 'call', where: 't.inquiry_id = $1' },
  { table: 'family_message', where: 't.inquiry_id = $1' },
  { table: 'callback', where: 't.inquiry_id = $1' },
  { table: 'inquirer_verification', where: 't.inquiry_id = $1' },
  {
    table: 'traveller',
    from: 'travel_plan p',
    where: 'p.id = t.travel_plan_id AND p.inquiry_id = $1',
  },
  { table: 'travel_plan', where: 't.inquiry_id = $1' },
  { table: 'travel_event', where: 't.inquiry_id = $1' },
  { table: 'handover_appointment', where: 't.inquiry_id = $1' },
  { table: 'prisoner_consent', where: 't.inquiry_id = $1' },
  { table: 'inquiry_match', where: 't.inquiry_id = $1' },
  { table: 'inquiry_status_history', where: 't.inquiry_id = $1 AND t.reason IS NOT NULL' },
  {
    table: 'inbound_attachment',
    from: 'inbound_email e',
    where: 'e.id = t.inbound_email_id AND e.inquiry_id = $1',
  },
  { table: 'inbound_email', where: 't.inquiry_id = $1' },
  {
    table: 'outbox_message',
    where: 't.inquiry_id = $1',
    also: [
      `state = CASE WHEN state IN ('pending', 'sending', 'held') THEN 'suppressed' ELSE state END`,
    ],
  },
  {
    // Stored answers to retried requests hold the case as it was created.
    table: 'idempotency_key',
    where: `t.response_body::text LIKE '%' || $1::text || '%'`,
    remove: true,
  },
  { table: 'trusted_contact', where: 't.inquiry_id = $1', remove: true },
  {
    table: 'contact_change',
    where: 't.inquiry_id = $1',
    also: [`state = CASE WHEN state = 'pending' THEN 'superseded' ELSE state END`],
  },
  {
    table: 'status_link',
    where: 't.inquiry_id = $1 AND t.revoked_at IS NULL',
    also: [`revoked_at = now()`, `revoked_by = 'system:retention'`],
  },
];

// Each step's statement: the table's family columns (src/common/personal-data.ts) set to what
// they are erased with, or its rows deleted.
function statementOf(step: Step): string {
  if (step.remove) {
    return `DELETE FROM ${step.table} t ${step.from ? `USING ${step.from} ` : ''}WHERE ${step.where}`;
  }
  const sets = [
    ...familyColumns(step.table).map(([column, erase]) => `"${column}" = ${erase}`),
    ...(step.also ?? []),
  ];
  if (sets.length === 0) throw new Error(`${step.table}: nothing to erase`);
  return `UPDATE ${step.table} t SET ${sets.join(', ')} ${step.from ? `FROM ${step.from} ` : ''}WHERE ${step.where}`;
}

const STATEMENTS = STEPS.map((step) => ({ table: step.table, sql: statementOf(step) }));

// Every table whose family columns pseudonymising a case erases.
export const PSEUDONYMISED_TABLES: readonly string[] = [
  'inquirer',
  'person_merge',
  ...STEPS.map((s) => s.table),
];

// A case's final statuses: handed over, or closed one way or another.
export const FINAL_STATES: readonly string[] = FINAL;

// The person's own record (and the records merged into it), once no other case of theirs still
// needs it; what a merge kept to undo itself goes too.
const LAST_CASE_OF_PERSON = `i.id = $1 AND NOT EXISTS (SELECT 1 FROM inquiry o
  WHERE o.inquirer_id = i.inquirer_id AND o.id <> i.id AND o.pseudonymised_at IS NULL)`;
const setFamily = (table: string) =>
  familyColumns(table)
    .map(([column, erase]) => `"${column}" = ${erase}`)
    .join(', ');
// (Records merged into a record since merged on are the person's too: the whole chain.)
const CASE_PERSON = `(SELECT inquirer_id FROM inquiry WHERE id = $1)`;
const INQUIRER = `UPDATE inquirer r SET ${setFamily('inquirer')} FROM inquiry i
  WHERE r.id IN (${RECORDS_OF_PERSON(CASE_PERSON)}) AND ${LAST_CASE_OF_PERSON}`;
const PERSON_MERGES = `UPDATE person_merge m SET ${setFamily('person_merge')} FROM inquiry i
  WHERE m.survivor_id IN (${RECORDS_OF_PERSON(CASE_PERSON)}) AND ${LAST_CASE_OF_PERSON}`;

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
      removed.person_merge = await changed(manager, PERSON_MERGES, inquiryId);
      for (const step of STATEMENTS)
        removed[step.table] = await changed(manager, step.sql, inquiryId);
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
