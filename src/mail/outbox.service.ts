import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PreparedStatement } from '../database/prepared-statement.js';

// A notice to staff. Notices to families are not written here by anyone but the disclosure gate.
export interface OutboxEntry {
  eventType: string;
  inquiryId?: string;
  recipientKind: 'staff';
  recipientId?: string;
  payload: Record<string, unknown>;
}

// A family notice as the gate decided it: to send, held (waiting for disclosure or an approved
// address) or suppressed (it no longer applies), with the family stage it was decided at.
export interface GatedFamilyEntry {
  eventType: string;
  inquiryId: string;
  recipientId: string;
  payload: Record<string, unknown>;
  state: 'pending' | 'held' | 'suppressed';
  reason: string | null;
  familyStage: string;
}

// Any number of rows in one prepared statement: one array per column.
const ENQUEUE = new PreparedStatement(
  'homecoming_outbox_enqueue_v3',
  `INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload,
     state, last_error, family_stage)
   SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::jsonb[], $6::text[],
     $7::text[], $8::text[])
   RETURNING id`,
);

function requireTransaction(manager: EntityManager): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('the outbox is written only inside the caller’s transaction');
  }
}

const CASE_OF_LETTERS = new PreparedStatement<{ inquiry_id: string }>(
  'homecoming_outbox_case_of_letters_v1',
  `SELECT o.inquiry_id FROM unnest($1::text[]) AS m(id)
   CROSS JOIN LATERAL (SELECT inquiry_id FROM outbox_message
     WHERE message_id = m.id AND inquiry_id IS NOT NULL LIMIT 1) o
   LIMIT 1`,
);

// The only way into the outbox: in the caller's transaction, so a rolled-back change sends nothing.
// Family notices come only from the gate that registered itself here (one per application):
// `enqueueInTransaction` refuses them.
@Injectable()
export class OutboxService {
  private familyGate?: object;

  acceptFamilyNoticesFrom(gate: object): void {
    if (this.familyGate && this.familyGate !== gate) {
      throw new Error('a second gate tried to register for family notices');
    }
    this.familyGate = gate;
  }

  // The case a letter of ours is on, by its Message-ID (a family's reply names it): the first of
  // those given that is.
  async caseOfLetters(
    manager: EntityManager,
    messageIds: readonly string[],
  ): Promise<string | null> {
    const [row] = await CASE_OF_LETTERS.run(manager, [messageIds]);
    return row?.inquiry_id ?? null;
  }

  // A delivery report names letters of ours: the first of them that had gone is marked failed,
  // bounced (its case and row for the timeline), in the caller's transaction.
  async markBounced(
    manager: EntityManager,
    messageIds: readonly string[],
  ): Promise<{ id: string; inquiryId: string | null } | undefined> {
    if (messageIds.length === 0) return undefined;
    const [rows] = (await manager.query(
      `UPDATE outbox_message SET state = 'failed',
         last_error = 'bounced: the receiving server reported it undeliverable'
       WHERE message_id = ANY($1) AND state = 'sent' RETURNING id, inquiry_id AS "inquiryId"`,
      [messageIds],
    )) as [{ id: string; inquiryId: string | null }[], number];
    return rows[0];
  }

  // The new rows' ids, in the order of `entries`.
  async enqueueInTransaction(manager: EntityManager, entries: OutboxEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    requireTransaction(manager);
    if (entries.some((e) => (e.recipientKind as string) !== 'staff')) {
      throw new Error('family notices go through the disclosure gate, not straight to the outbox');
    }
    return this.insert(
      manager,
      entries.map((e) => ({
        eventType: e.eventType,
        inquiryId: e.inquiryId ?? null,
        recipientKind: 'staff',
        recipientId: e.recipientId ?? null,
        payload: e.payload,
        state: 'pending',
        reason: null,
        familyStage: null,
      })),
    );
  }

  async enqueueFamilyInTransaction(
    manager: EntityManager,
    gate: object,
    entries: GatedFamilyEntry[],
  ): Promise<string[]> {
    this.assertGate(gate);
    if (entries.length === 0) return [];
    requireTransaction(manager);
    return this.insert(
      manager,
      entries.map((e) => ({ ...e, recipientKind: 'inquirer' })),
    );
  }

  // A case's held family notices, oldest first, locked for the caller's transaction (a sender
  // may not claim one while it is reconsidered).
  heldOf(
    manager: EntityManager,
    inquiryId: string,
  ): Promise<{ id: string; event_type: string; payload: Record<string, unknown> }[]> {
    return manager.query(
      `SELECT id, event_type, payload FROM outbox_message
       WHERE inquiry_id = $1 AND state = 'held' AND recipient_kind = 'inquirer'
       ORDER BY created_at, id FOR UPDATE`,
      [inquiryId],
    ) as Promise<{ id: string; event_type: string; payload: Record<string, unknown> }[]>;
  }

  // A held notice the gate now lets go (pending, due now) or gives up (suppressed).
  async settleHeld(
    manager: EntityManager,
    gate: object,
    input: {
      id: string;
      state: 'pending' | 'suppressed';
      reason: string | null;
      familyStage: string;
    },
  ): Promise<void> {
    this.assertGate(gate);
    await manager.query(
      `UPDATE outbox_message SET state = $2, last_error = $3, family_stage = $4,
         available_at = now()
       WHERE id = $1 AND state = 'held'`,
      [input.id, input.state, input.reason, input.familyStage],
    );
  }

  private assertGate(gate: object): void {
    if (!this.familyGate || gate !== this.familyGate) {
      throw new Error('only the disclosure gate writes family notices');
    }
  }

  private async insert(
    manager: EntityManager,
    rows: {
      eventType: string;
      inquiryId: string | null;
      recipientKind: string;
      recipientId: string | null;
      payload: Record<string, unknown>;
      state: string;
      reason: string | null;
      familyStage: string | null;
    }[],
  ): Promise<string[]> {
    const inserted = await ENQUEUE.run(manager, [
      rows.map((e) => e.eventType),
      rows.map((e) => e.inquiryId),
      rows.map((e) => e.recipientKind),
      rows.map((e) => e.recipientId),
      rows.map((e) => JSON.stringify(e.payload)),
      rows.map((e) => e.state),
      rows.map((e) => e.reason),
      rows.map((e) => e.familyStage),
    ]);
    return inserted.map((r) => r.id as string);
  }
}
