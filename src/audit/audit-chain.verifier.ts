import type { EntityManager } from 'typeorm';
import { verifyCheckpoints } from './audit-checkpoint.verifier.js';
import { ALTERED, CONSEQUENCE, Findings } from './audit-findings.js';
import { eventHash, GENESIS_HASH, type HashedEvent } from './audit-hash.util.js';
import type { AuditVerification } from './audit.types.js';

const DEFAULT_EVENT_BATCH = 5_000;

interface EventRow {
  id: string;
  stream: string;
  seq: string;
  occurred_at: Date;
  actor: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  inquiry_id: string | null;
  diff: Record<string, unknown>;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

interface HeadRow {
  stream: string;
  last_seq: string;
  last_hash: string;
  prev_hash: string;
  updated_at: Date;
}

interface StreamWalk {
  stream: string;
  head: HeadRow | undefined;
  last?: { id: string; seq: number; hash: string; prevHash: string; at: Date };
}

// Queries that cast in the select list (seq::text AS seq) order by qualified names (e.seq):
// a bare name would sort by the text alias, "10" before "2".
const EVENT_COLUMNS = `id::text AS id, stream, seq::text AS seq, occurred_at, actor, action,
  entity_type, entity_id, inquiry_id::text AS inquiry_id, diff, request_id, ip, prev_hash, hash`;

// Re-checks the whole log: every event's hash against its contents, seq contiguity and
// prev_hash links within each stream, each head against its stream's last event, and the
// checkpoint chain with every head it recorded. Reads events in (stream, seq) order in batches
// (keyset pagination), so memory stays flat however long the log. Run it in a REPEATABLE READ
// transaction: the batches must see one snapshot.
export async function verifyAuditChain(
  manager: EntityManager,
  { batchSize = DEFAULT_EVENT_BATCH }: { batchSize?: number } = {},
): Promise<AuditVerification> {
  const findings = new Findings();
  const { events, streams } = await walkStreams(manager, findings, batchSize);
  await findHeadsWithoutEvents(manager, findings);
  const checkpoints = await verifyCheckpoints(manager, findings);
  if (!findings.first) return { intact: true, events, streams, checkpoints };
  const { eventId, stream, seq, checkpointId, reason } = findings.first;
  return {
    intact: false,
    events,
    streams,
    checkpoints,
    problems: findings.count,
    firstBroken: {
      eventId,
      stream,
      seq,
      ...(checkpointId !== undefined ? { checkpointId } : {}),
      reason,
    },
  };
}

async function walkStreams(
  manager: EntityManager,
  findings: Findings,
  batchSize: number,
): Promise<{ events: number; streams: number }> {
  let events = 0;
  let streams = 0;
  let walk: StreamWalk | undefined;
  let batch = await fetchEvents(manager, undefined, batchSize);
  while (batch.rows.length > 0) {
    const { rows, heads } = batch;
    const last = rows[rows.length - 1];
    // Ask for the next batch now; PostgreSQL reads it while this one is hashed.
    const next =
      rows.length === batchSize
        ? fetchEvents(manager, [last.stream, last.seq], batchSize)
        : Promise.resolve({ rows: [], heads: Promise.resolve(new Map<string, HeadRow>()) });
    next.catch(() => undefined);
    const headsReady = await heads;
    for (const row of rows) {
      if (walk?.stream !== row.stream) {
        if (walk) finishStream(walk, findings);
        walk = { stream: row.stream, head: headsReady.get(row.stream) };
        streams += 1;
      }
      checkEvent(walk, row, findings);
      events += 1;
    }
    batch = await next;
  }
  if (walk) finishStream(walk, findings);
  return { events, streams };
}

async function fetchEvents(
  manager: EntityManager,
  after: [string, string] | undefined,
  batchSize: number,
): Promise<{ rows: EventRow[]; heads: Promise<Map<string, HeadRow>> }> {
  const rows = (await (after
    ? manager.query(
        `SELECT ${EVENT_COLUMNS} FROM audit_event e WHERE (e.stream, e.seq) > ($1, $2::bigint)
         ORDER BY e.stream, e.seq LIMIT $3`,
        [...after, batchSize],
      )
    : manager.query(
        `SELECT ${EVENT_COLUMNS} FROM audit_event e ORDER BY e.stream, e.seq LIMIT $1`,
        [batchSize],
      ))) as EventRow[];
  const names = [...new Set(rows.map((r) => r.stream))];
  const heads = manager
    .query(
      `SELECT stream, last_seq::text AS last_seq, last_hash, prev_hash, updated_at FROM audit_stream
       WHERE stream = ANY($1)`,
      [names],
    )
    .then((found: HeadRow[]) => new Map(found.map((h) => [h.stream, h])));
  heads.catch(() => undefined); // awaited by the caller; this only keeps it from counting as unhandled
  return { rows, heads };
}

function checkEvent(walk: StreamWalk, row: EventRow, findings: Findings): void {
  const seq = Number(row.seq);
  const broken = (rank: number, reason: string) =>
    findings.add({ at: row.occurred_at, rank, eventId: row.id, stream: row.stream, seq, reason });
  const { last } = walk;

  if (eventHash(toHashedEvent(row, seq)) !== row.hash) {
    broken(ALTERED, 'hash does not match its contents');
  } else if (seq < 1) {
    broken(CONSEQUENCE, `seq ${row.seq} is not a valid position (streams start at seq 1)`);
  } else if (seq !== (last?.seq ?? 0) + 1) {
    broken(
      CONSEQUENCE,
      `previous event missing (seq ${(last?.seq ?? 0) + 1} expected, found ${seq})`,
    );
  } else if (row.prev_hash !== (last?.hash ?? GENESIS_HASH)) {
    broken(
      CONSEQUENCE,
      last
        ? `prev_hash does not match the hash of seq ${last.seq}`
        : 'prev_hash of seq 1 is not the genesis hash',
    );
  }
  // An event placed before the start of the stream cannot be anyone's predecessor.
  if (seq >= 1) {
    walk.last = { id: row.id, seq, hash: row.hash, prevHash: row.prev_hash, at: row.occurred_at };
  }
}

function finishStream(walk: StreamWalk, findings: Findings): void {
  const { head, last, stream } = walk;
  if (!last) return;
  const broken = (at: Date, reason: string) =>
    findings.add({ at, rank: CONSEQUENCE, eventId: last.id, stream, seq: last.seq, reason });
  if (!head) {
    broken(last.at, 'stream has events but no head');
  } else if (Number(head.last_seq) !== last.seq) {
    broken(
      head.updated_at,
      `stream head says seq ${head.last_seq} but the last event is seq ${last.seq}`,
    );
  } else if (head.last_hash !== last.hash) {
    broken(head.updated_at, `stream head hash does not match the hash of seq ${last.seq}`);
  } else if (head.prev_hash !== last.prevHash) {
    broken(
      head.updated_at,
      `stream head prev_hash does not match the prev_hash of seq ${last.seq}`,
    );
  }
}

async function findHeadsWithoutEvents(manager: EntityManager, findings: Findings): Promise<void> {
  const orphans = (await manager.query(
    `SELECT stream, last_seq::text AS last_seq, last_hash, prev_hash, updated_at FROM audit_stream head
     WHERE NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.stream = head.stream)`,
  )) as HeadRow[];
  for (const head of orphans) {
    findings.add({
      at: head.updated_at,
      rank: CONSEQUENCE,
      eventId: null,
      stream: head.stream,
      seq: null,
      reason: `stream head says seq ${head.last_seq} but the stream has no events`,
    });
  }
}

function toHashedEvent(row: EventRow, seq: number): HashedEvent {
  return {
    id: row.id,
    stream: row.stream,
    seq,
    occurredAt: row.occurred_at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    inquiryId: row.inquiry_id,
    diff: row.diff,
    requestId: row.request_id,
    ip: row.ip,
    prevHash: row.prev_hash,
  };
}
