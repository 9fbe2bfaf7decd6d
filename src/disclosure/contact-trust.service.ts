import { Injectable } from '@nestjs/common';
import type { CaseMove } from '../common/case-records/case-records.registry.js';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { ContactChange } from './contact-change.entity.js';
import type { ContactKind } from './trusted-contact.entity.js';

export interface FamilyContacts {
  emails: readonly string[];
  phones: readonly string[];
}

export interface ContactChangeView {
  id: string;
  inquiryId: string;
  kind: ContactKind;
  value: string;
  state: ContactChange['state'];
  requestedBy: string;
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
}

const pairs = (contacts: FamilyContacts) => [
  ...contacts.emails.map((value) => ({ kind: 'email' as const, value })),
  ...contacts.phones.map((value) => ({ kind: 'phone' as const, value })),
];

// Which of a verified family's addresses and numbers are theirs: those they had when the
// verification was countersigned, and those a supervisor approved since. Anything added after
// waits as a contact change. All in the caller's transaction.
@Injectable()
export class ContactTrustService {
  constructor(private readonly audit: AuditService) {}

  // A verification was countersigned as successful: the family's contacts now are the trusted
  // ones (replacing what was), and changes waiting for approval are settled by it.
  async trustCurrent(
    manager: EntityManager,
    input: { inquiryId: string; contacts: FamilyContacts; by: ActorContext },
  ): Promise<void> {
    const { inquiryId, contacts, by } = input;
    await manager.query(`DELETE FROM trusted_contact WHERE inquiry_id = $1`, [inquiryId]);
    const all = pairs(contacts);
    if (all.length > 0) {
      await manager.query(
        `INSERT INTO trusted_contact (inquiry_id, kind, value, source, trusted_by)
         SELECT $1, k, v, 'verification', $4 FROM unnest($2::text[], $3::text[]) AS t(k, v)
         ON CONFLICT DO NOTHING`,
        [inquiryId, all.map((p) => p.kind), all.map((p) => p.value), by.actor],
      );
    }
    await manager.query(
      `UPDATE contact_change SET state = 'superseded', decided_by = $2, decided_at = now(),
         reason = 'a new verification'
       WHERE inquiry_id = $1 AND state = 'pending'`,
      [inquiryId, by.actor],
    );
  }

  // The family's contacts were edited: any that a verified family did not have waits for
  // approval (nothing goes to it meanwhile). Returns the new changes.
  async contactsChanged(
    manager: EntityManager,
    input: { inquiryId: string; contacts: FamilyContacts; actor: ActorContext },
  ): Promise<ContactChangeView[]> {
    const { inquiryId, contacts, actor } = input;
    const trusted = await this.trustedOf(manager, [inquiryId]);
    const known = trusted.get(inquiryId);
    if (!known) return [];
    const fresh = pairs(contacts).filter(
      (p) => !known.some((t) => t.kind === p.kind && t.value === p.value),
    );
    if (fresh.length === 0) return [];
    const rows = (await manager.query(
      `INSERT INTO contact_change (inquiry_id, kind, value, requested_by)
       SELECT $1, k, v, $4 FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (inquiry_id, kind, value) WHERE state = 'pending' DO NOTHING
       RETURNING ${CHANGE_COLUMNS}`,
      [inquiryId, fresh.map((p) => p.kind), fresh.map((p) => p.value), actor.actor],
    )) as ContactChangeView[];
    for (const change of rows) {
      await this.audit.appendInTransaction(manager, {
        action: 'contact.change_pending',
        actor,
        entityType: 'contact_change',
        entityId: change.id,
        inquiryId,
        after: { kind: change.kind, value: change.value, state: 'pending' },
      });
    }
    return rows;
  }

  // Per case: its trusted contacts, or no entry when none were ever recorded (not verified).
  async trustedOf(
    manager: EntityManager,
    inquiryIds: readonly string[],
  ): Promise<Map<string, { kind: ContactKind; value: string }[]>> {
    const rows = (await manager.query(
      `SELECT inquiry_id, kind, value FROM trusted_contact WHERE inquiry_id = ANY($1::uuid[])`,
      [inquiryIds],
    )) as { inquiry_id: string; kind: ContactKind; value: string }[];
    const byCase = new Map<string, { kind: ContactKind; value: string }[]>();
    for (const r of rows) {
      const list = byCase.get(r.inquiry_id) ?? [];
      list.push({ kind: r.kind, value: r.value });
      byCase.set(r.inquiry_id, list);
    }
    return byCase;
  }

  changesOf(manager: EntityManager, inquiryId: string): Promise<ContactChangeView[]> {
    return manager.query(
      `SELECT ${CHANGE_COLUMNS} FROM contact_change WHERE inquiry_id = $1
       ORDER BY requested_at DESC, id`,
      [inquiryId],
    ) as Promise<ContactChangeView[]>;
  }

  async pendingCount(manager: EntityManager, inquiryId: string): Promise<number> {
    const [{ n }] = (await manager.query(
      `SELECT count(*)::int AS n FROM contact_change WHERE inquiry_id = $1 AND state = 'pending'`,
      [inquiryId],
    )) as { n: number }[];
    return n;
  }
}

const CHANGE_COLUMNS = `id, inquiry_id AS "inquiryId", kind, value, state,
  requested_by AS "requestedBy", requested_at AS "requestedAt", decided_by AS "decidedBy",
  decided_at AS "decidedAt", reason`;

// Before a merge moves the trusted addresses and contact changes (CaseRecordsRegistry): an
// address the survivor trusts already is trusted once, and a pending change the survivor has
// pending too is superseded.
export const TRUST_RECORDS = ['contact_change', 'trusted_contact'];
export async function beforeTrustMove({ manager, from, to }: CaseMove): Promise<void> {
  await manager.query(
    `DELETE FROM trusted_contact d WHERE d.inquiry_id = $1
       AND EXISTS (SELECT 1 FROM trusted_contact s WHERE s.inquiry_id = $2
                   AND s.kind = d.kind AND s.value = d.value)`,
    [from, to],
  );
  await manager.query(
    `UPDATE contact_change d SET state = 'superseded' WHERE d.inquiry_id = $1 AND d.state = 'pending'
       AND EXISTS (SELECT 1 FROM contact_change s WHERE s.inquiry_id = $2 AND s.state = 'pending'
                   AND s.kind = d.kind AND s.value = d.value)`,
    [from, to],
  );
}
