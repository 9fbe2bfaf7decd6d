import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { FAMILY_FIELDS } from '../common/personal-data.js';
import { afterCommit } from '../metrics/after-commit.js';
import type { AuditDiff } from './audit-diff.util.js';

// Personal data in a case's audit trail is sealed under a key of the case's own
// (audit_case_key), so that erasing the case — retention, or a family's request — can make it
// unreadable without touching the hash chains: the hashes cover the ciphertext, and deleting the
// key ("crypto-shredding") leaves every event verifiable and every removed value gone. Only the
// fields below stay readable — what happened, not to whom: statuses, transitions, ids, counts.
// Everything else a case's events record (names, contacts, reasons, documents, travellers,
// answers, free text) is sealed, field by field, until the key goes.
export const PLAIN_FIELDS: ReadonlySet<string> = new Set([
  'active',
  'answersAgree',
  'assignee',
  'assigneeId',
  'assignedTo',
  'attempts',
  'channel',
  'count',
  'counts',
  'created',
  'crossingPointId',
  'decision',
  'direction',
  'dueAt',
  'duplicate',
  'duplicateId',
  'durationSeconds',
  'entityId',
  'entityType',
  'event',
  'events',
  'eventType',
  'id',
  'inquiryId',
  'kind',
  'matchId',
  'messageId',
  'method',
  'movedCallbacks',
  'movedCalls',
  'notifications',
  'outcome',
  'plannedCrossingAt',
  'policy',
  'prisonerId',
  'priority',
  'recipient',
  'recipientKind',
  'reference',
  'role',
  'roles',
  'score',
  'source',
  'state',
  'status',
  'step',
  'suppressedNotifications',
  'survivorId',
  'total',
  'transition',
  'updated',
  'userId',
  'verificationId',
  'version',
  'windowMinutes',
  'closedAt',
  'days',
  'removed',
  'page',
  'heldNotifications',
]);

export interface SealedField {
  sealed: string;
}
export const ERASED = { erased: true } as const;

const isSealed = (v: unknown): v is SealedField =>
  typeof v === 'object' && v !== null && typeof (v as SealedField).sealed === 'string';

function seal(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
}

function open(key: Buffer, sealed: string): unknown {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(
    Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'),
  );
}

// Ids of records (`completingCallId`, `prisonerId`) name no one either.
// A family column (src/common/personal-data.ts) is never plain, whatever its name.
export const isPlainField = (field: string) =>
  !FAMILY_FIELDS.has(field) && (PLAIN_FIELDS.has(field) || /[a-z]Ids?$/.test(field));

export function sealDiff(diff: AuditDiff, key: Buffer): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(diff).map(([field, change]) =>
      isPlainField(field) ? [field, change] : [field, { sealed: seal(key, change) }],
    ),
  );
}

// A stored diff as people read it: sealed fields opened with the case's key, or `{ erased:
// true }` once the key is gone.
export function revealDiff(
  diff: Record<string, unknown>,
  key: Buffer | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(diff).map(([field, change]) => {
      if (!isSealed(change)) return [field, change];
      if (!key) return [field, ERASED];
      try {
        return [field, open(key, change.sealed)];
      } catch {
        return [field, ERASED];
      }
    }),
  );
}

// An event's values as someone who may not read them sees it: that a field changed, not how.
// Plain fields (statuses, ids, counts) stay.
export const HIDDEN = { hidden: true } as const;

export function concealDiff(diff: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(diff).map(([field, change]) => [field, isPlainField(field) ? change : HIDDEN]),
  );
}

// Keys known to this process. Kept only once the transaction that created or read them has
// committed: a key created by a transaction that rolled back is not in the database, and values
// sealed under it would be lost.
const known = new Map<string, Buffer>();
const KNOWN_MAX = 10_000;

export async function caseKey(manager: EntityManager, inquiryId: string): Promise<Buffer> {
  const cached = known.get(inquiryId);
  if (cached) return cached;
  let [row] = (await manager.query(
    `WITH made AS (
       INSERT INTO audit_case_key (inquiry_id, key) VALUES ($1, $2)
       ON CONFLICT (inquiry_id) DO NOTHING RETURNING key)
     SELECT key FROM made UNION ALL SELECT key FROM audit_case_key WHERE inquiry_id = $1`,
    [inquiryId, randomBytes(32)],
  )) as { key: Buffer }[];
  // Made by a transaction that committed while this statement waited: visible to the next one.
  row ??= (
    (await manager.query(`SELECT key FROM audit_case_key WHERE inquiry_id = $1`, [inquiryId])) as {
      key: Buffer;
    }[]
  )[0];
  afterCommit(manager, () => {
    if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value!);
    known.set(inquiryId, row.key);
  });
  return row.key;
}

// After an erasure in this process (other processes may keep the key in memory; what they seal
// under it afterwards is unreadable, which is what erasure wants).
export function forgetCaseKey(inquiryId: string): void {
  known.delete(inquiryId);
}

export async function caseKeys(
  manager: EntityManager,
  inquiryIds: readonly string[],
): Promise<Map<string, Buffer>> {
  if (inquiryIds.length === 0) return new Map();
  const rows = (await manager.query(
    `SELECT inquiry_id, key FROM audit_case_key WHERE inquiry_id = ANY($1::uuid[])`,
    [[...new Set(inquiryIds)]],
  )) as { inquiry_id: string; key: Buffer }[];
  return new Map(rows.map((r) => [r.inquiry_id, r.key]));
}
