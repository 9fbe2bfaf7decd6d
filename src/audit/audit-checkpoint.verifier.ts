import type { EntityManager } from 'typeorm';
import type { CheckpointHeads } from './audit-checkpoint.entity.js';
import { ALTERED, CONSEQUENCE, type Findings } from './audit-findings.js';
import { checkpointHash, GENESIS_HASH } from './audit-hash.util.js';

const CHECKPOINT_BATCH = 200;

// The checkpoint chain (hashes, consecutive ids, links), then every head a checkpoint recorded.
// Returns how many checkpoints there are.
export async function verifyCheckpoints(
  manager: EntityManager,
  findings: Findings,
): Promise<number> {
  const count = await walkCheckpoints(manager, findings);
  await findMissingCheckpointedHeads(manager, findings);
  return count;
}

async function walkCheckpoints(manager: EntityManager, findings: Findings): Promise<number> {
  let count = 0;
  let previous: { id: number; hash: string } | undefined;
  for (;;) {
    const rows = (await manager.query(
      `SELECT c.id::text AS id, c.created_at, c.heads, c.prev_hash, c.hash FROM audit_checkpoint c
       WHERE c.id > $1 ORDER BY c.id LIMIT ${CHECKPOINT_BATCH}`,
      [previous?.id ?? 0],
    )) as {
      id: string;
      created_at: Date;
      heads: CheckpointHeads;
      prev_hash: string;
      hash: string;
    }[];
    for (const row of rows) {
      const id = Number(row.id);
      const expected = (previous?.id ?? 0) + 1;
      const broken = (rank: number, reason: string) =>
        findings.add({
          at: row.created_at,
          rank,
          eventId: null,
          stream: null,
          seq: null,
          checkpointId: id,
          reason,
        });
      const recomputed = checkpointHash({
        id,
        createdAt: row.created_at,
        heads: row.heads,
        prevHash: row.prev_hash,
      });
      if (recomputed !== row.hash) {
        broken(ALTERED, `checkpoint ${id}: hash does not match its contents`);
      } else if (id !== expected) {
        broken(CONSEQUENCE, `checkpoint missing (id ${expected} expected, found ${id})`);
      } else if (row.prev_hash !== (previous?.hash ?? GENESIS_HASH)) {
        broken(
          CONSEQUENCE,
          previous
            ? `checkpoint ${id}: prev_hash does not match the hash of checkpoint ${previous.id}`
            : `checkpoint ${id}: prev_hash of the first checkpoint is not the genesis hash`,
        );
      }
      previous = { id, hash: row.hash };
      count += 1;
    }
    if (rows.length < CHECKPOINT_BATCH) return count;
  }
}

// Every head a checkpoint recorded must still be there, with the hash recorded. This is what
// catches a stream cut short behind a rewritten head. Done by PostgreSQL, which returns only the
// earliest failure and how many there are.
async function findMissingCheckpointedHeads(
  manager: EntityManager,
  findings: Findings,
): Promise<void> {
  const [failure] = (await manager.query(`
    WITH recorded AS (
      SELECT c.id, c.created_at, h.key AS stream, h.value->>'hash' AS hash,
        CASE WHEN h.value->>'seq' ~ '^[0-9]{1,18}$' THEN (h.value->>'seq')::bigint END AS seq,
        h.value->>'seq' AS seq_text
      FROM audit_checkpoint c
      CROSS JOIN LATERAL jsonb_each(
        CASE WHEN jsonb_typeof(c.heads) = 'object' THEN c.heads ELSE '{}'::jsonb END) h
    ), failed AS (
      SELECT r.*, e.id::text AS event_id, e.hash AS event_hash
      FROM recorded r LEFT JOIN audit_event e ON e.stream = r.stream AND e.seq = r.seq
      WHERE e.id IS NULL OR e.hash IS DISTINCT FROM r.hash
    )
    SELECT id::text AS id, created_at, stream, seq_text, hash, event_id, event_hash,
      count(*) OVER () AS total
    FROM failed f ORDER BY f.created_at, f.id, f.stream LIMIT 1`)) as {
    id: string;
    created_at: Date;
    stream: string;
    seq_text: string | null;
    hash: string | null;
    event_id: string | null;
    event_hash: string | null;
    total: string;
  }[];
  if (!failure) return;
  const checkpointId = Number(failure.id);
  const recorded = failure.seq_text ?? '?';
  const found = failure.event_id
    ? {
        eventId: failure.event_id,
        seq: Number(failure.seq_text),
        reason: `checkpoint ${checkpointId} recorded hash ${short(failure.hash)} for seq ${recorded}, but that event's hash is ${short(failure.event_hash)}`,
      }
    : await describeMissing(manager, failure.stream, checkpointId, recorded);
  findings.count += Number(failure.total) - 1;
  findings.add({
    at: failure.created_at,
    rank: CONSEQUENCE,
    stream: failure.stream,
    checkpointId,
    ...found,
  });
}

// Names the event where a recorded head went missing: the next one after the gap, or the last
// one of a stream that was cut short.
async function describeMissing(
  manager: EntityManager,
  stream: string,
  checkpointId: number,
  recorded: string,
): Promise<{ eventId: string | null; seq: number | null; reason: string }> {
  const seqParam = /^[0-9]{1,18}$/.test(recorded) ? recorded : '0';
  const [after] = (await manager.query(
    `SELECT e.id::text AS id, e.seq::text AS seq FROM audit_event e
     WHERE e.stream = $1 AND e.seq > $2::bigint ORDER BY e.seq LIMIT 1`,
    [stream, seqParam],
  )) as { id: string; seq: string }[];
  if (after) {
    return {
      eventId: after.id,
      seq: Number(after.seq),
      reason: `checkpoint ${checkpointId} recorded seq ${recorded}, which is missing`,
    };
  }
  const [last] = (await manager.query(
    `SELECT e.id::text AS id, e.seq::text AS seq FROM audit_event e WHERE e.stream = $1
     ORDER BY e.seq DESC LIMIT 1`,
    [stream],
  )) as { id: string; seq: string }[];
  if (!last) {
    return {
      eventId: null,
      seq: null,
      reason: `checkpoint ${checkpointId} recorded seq ${recorded} but the stream has no events`,
    };
  }
  return {
    eventId: last.id,
    seq: Number(last.seq),
    reason: `checkpoint ${checkpointId} recorded seq ${recorded} but the last event is seq ${last.seq}`,
  };
}

function short(hash: string | null): string {
  return hash ? `${hash.slice(0, 12)}…` : 'none';
}
