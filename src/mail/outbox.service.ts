import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PreparedStatement } from '../database/prepared-statement.js';
import type { RecipientKind } from './outbox.entity.js';

export interface OutboxEntry {
  eventType: string;
  inquiryId?: string;
  recipientKind: RecipientKind;
  recipientId?: string;
  payload: Record<string, unknown>;
}

// Any number of rows in one prepared statement: one array per column.
const ENQUEUE = new PreparedStatement(
  'homecoming_outbox_enqueue_v2',
  `INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload)
   SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::jsonb[])
   RETURNING id`,
);

// The only way into the outbox: in the caller's transaction, so a rolled-back change sends nothing.
@Injectable()
export class OutboxService {
  // The new rows' ids, in the order of `entries`.
  async enqueueInTransaction(manager: EntityManager, entries: OutboxEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('enqueueInTransaction needs a manager inside a transaction');
    }
    const rows = await ENQUEUE.run(manager, [
      entries.map((e) => e.eventType),
      entries.map((e) => e.inquiryId ?? null),
      entries.map((e) => e.recipientKind),
      entries.map((e) => e.recipientId ?? null),
      entries.map((e) => JSON.stringify(e.payload)),
    ]);
    return rows.map((r) => r.id as string);
  }
}
