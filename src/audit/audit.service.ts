// The tamper-evident audit log.
//
// Append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on audit_event and audit_checkpoint
// (statement triggers; see the AuditLog migration), so the application role cannot rewrite
// history, and the owner role that could is not the one the application runs as.
//
// Tamper-evident: events form hash chains. hash = SHA-256(prev_hash ‖ RFC 8785 JSON of every
// other stored column, the id included); see audit-hash.util.ts. A changed byte in any column
// breaks that event's hash; a deleted event breaks the link or the numbering of the next one.
//
// Fast and fork-free under concurrency: there is not one chain but one per stream —
// `inquiry:<id>` when the event belongs to an inquiry, else `<entityType>:<entityId>`, else
// `actor:<actor>`. audit_stream holds each stream's head. An append is one statement: it upserts
// the head (`INSERT … ON CONFLICT (stream) DO UPDATE SET last_seq = last_seq + 1 …`), which
// row-locks that one head until the caller's transaction ends, and inserts the event with a
// unique (stream, seq). Two appends to the same stream queue on the row lock; appends to
// different streams never wait for each other, unlike a global lock, which serialises every
// audited write in the application. A rolled-back caller takes its event and its head move with
// it.
//
// Why the hash is taken inside that statement: the previous hash is only known once the head is
// locked, and a second round trip to hash in Node cost a third of the throughput of an audited
// write (bench/README.md). So the application builds the canonical JSON with `canonicalize`, cut
// where the time, the previous hash and the position go (canonicalFragments), and PostgreSQL
// splices them in and takes the SHA-256 (audit_event_hash() in the migration). For the same
// reason occurred_at is PostgreSQL's clock, read after the lock (times follow positions within a
// stream, and replicas share one clock), truncated to the millisecond the column keeps. verify()
// recomputes every hash in Node, from the stored row alone.
//
// Truncation: deleting the newest events of a stream and rewriting its head row would leave a
// consistent-looking shorter chain. Checkpoints close that gap: every few minutes one process
// (pg_advisory_xact_lock, so replicas take turns) records the heads that moved since the last
// checkpoint in audit_checkpoint — itself a hash chain with consecutive ids — and logs its hash
// (ship the log elsewhere and it anchors the whole log outside the database). verify() then
// checks that every recorded head still exists with the recorded hash.
//
// For callers: append late in the transaction (the stream stays locked until commit) and, when
// one transaction appends to several streams, in a stable order. The append is a named prepared
// statement: behind PgBouncer in transaction mode, use PgBouncer 1.21+ with
// max_prepared_statements set.

import { caseKey, caseKeys, concealDiff, revealDiff, sealDiff } from './audit-case-keys.js';
import { isReadAction, maySeeValues, READ_ACTIONS } from './audit-actions.js';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { ActorContext } from '../common/request-context.js';
import { AuditCheckpoint, type CheckpointHeads } from './audit-checkpoint.entity.js';
import { verifyAuditChain } from './audit-chain.verifier.js';
import { diffOf, storableText } from './audit-diff.util.js';
import { AuditEvent } from './audit-event.entity.js';
import { canonicalFragments, checkpointHash, GENESIS_HASH } from './audit-hash.util.js';
import type {
  AuditEventFilter,
  AuditEventInput,
  AuditEventPage,
  AuditReadInput,
  AuditVerification,
  AuditViewer,
} from './audit.types.js';

export type { AuditEventInput } from './audit.types.js';

// Checkpoint writers of every replica take turns on this key (the migration lock uses …001).
export const CHECKPOINT_LOCK_KEY = 7_200_417_002;

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

// Prepared once per connection. The DO UPDATE's SET runs once the head is locked: its clock
// reading and its previous hash are the ones that count. The INSERT branch is a stream's first
// event. audit_stream.prev_hash carries the previous hash out, since RETURNING sees new values.
const APPEND = {
  name: 'homecoming_audit_append_v1',
  text: `
    WITH head AS (
      INSERT INTO audit_stream AS h (stream, last_seq, prev_hash, last_hash, updated_at)
      SELECT $1::text, 1, $2::text, audit_event_hash($2::text, 1, t.at, $3::text, $4::text, $5::text),
        t.at
      FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) t
      ON CONFLICT (stream) DO UPDATE SET (last_seq, prev_hash, last_hash, updated_at) = (
        SELECT h.last_seq + 1, h.last_hash,
          audit_event_hash(h.last_hash, h.last_seq + 1, t.at, $3::text, $4::text, $5::text), t.at
        FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) t
      )
      RETURNING last_seq, prev_hash, last_hash, updated_at
    )
    INSERT INTO audit_event (id, stream, seq, occurred_at, actor, action, entity_type, entity_id,
      inquiry_id, diff, request_id, ip, prev_hash, hash)
    SELECT $6::uuid, $1::text, head.last_seq, head.updated_at, $7::text, $8::text, $9::text,
      $10::text, $11::uuid, $12::jsonb, $13::text, $14::text, head.prev_hash, head.last_hash
    FROM head
    RETURNING seq::text AS seq, occurred_at, prev_hash, hash`,
};

// Heads that moved since the last checkpoint. Heads locked by a transaction still in flight are
// skipped (the next checkpoint takes them), so a checkpoint never waits for, or deadlocks with,
// an appender.
const TAKE_MOVED_HEADS = `
  WITH moved AS (
    SELECT stream FROM audit_stream WHERE last_seq <> checkpointed_seq
    FOR UPDATE SKIP LOCKED
  ), marked AS (
    UPDATE audit_stream head SET checkpointed_seq = head.last_seq
    FROM moved WHERE head.stream = moved.stream
    RETURNING head.stream, head.last_seq::text AS seq, head.last_hash AS hash
  )
  SELECT * FROM marked`;

export function streamOf(
  input: Pick<AuditEventInput, 'inquiryId' | 'entityType' | 'entityId' | 'actor'>,
): string {
  if (input.inquiryId) return `inquiry:${input.inquiryId}`;
  if (input.entityType && input.entityId) return `${input.entityType}:${input.entityId}`;
  return `actor:${input.actor.actor}`;
}

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  // Records the event in the caller's transaction: it commits or rolls back with the change it
  // describes. Holds the stream's head locked until that transaction ends.
  async appendInTransaction(manager: EntityManager, input: AuditEventInput): Promise<AuditEvent> {
    if (isReadAction(input.action)) {
      throw new Error(`${input.action} is a read record: use recordRead`);
    }
    return this.write(manager, input, streamOf(input));
  }

  // Someone read personal data (of a case, when `inquiryId` is given). Written to the reader's
  // own stream, `actor:<id>`: two people reading one case never wait for each other, nor for
  // anyone changing it. Carries no value read, only what and how much.
  // A case's own stream, newest first (reads are on their readers' streams), in the caller's
  // transaction: what the case's timeline is made of.
  async caseEvents(
    manager: EntityManager,
    inquiryId: string,
    options: { except: string; limit: number },
  ): Promise<
    { occurred_at: Date; action: string; actor: string; diff: Record<string, unknown> }[]
  > {
    return (await manager.query(
      `SELECT occurred_at, action, actor, diff FROM audit_event
       WHERE stream = $1 AND action <> $2
       ORDER BY seq DESC LIMIT $3`,
      [`inquiry:${inquiryId}`, options.except, options.limit],
    )) as { occurred_at: Date; action: string; actor: string; diff: Record<string, unknown> }[];
  }

  async recordReadInTransaction(manager: EntityManager, input: AuditReadInput): Promise<void> {
    if (!isReadAction(input.action)) throw new Error(`${input.action} is not a read record`);
    await this.write(
      manager,
      {
        action: input.action,
        actor: input.actor,
        // A case's reads are found by the case (the entity index), whatever part was read.
        entityType: input.inquiryId ? 'inquiry' : input.entityType,
        entityId: input.inquiryId ?? input.entityId,
        inquiryId: input.inquiryId,
        after: input.after,
      },
      `actor:${input.actor.actor}`,
    );
  }

  recordRead(input: AuditReadInput): Promise<void> {
    return this.dataSource.transaction((manager) => this.recordReadInTransaction(manager, input));
  }

  private async write(
    manager: EntityManager,
    input: AuditEventInput,
    stream: string,
  ): Promise<AuditEvent> {
    const connection = await connectionOf(manager);
    assertWellFormed(input);
    const diff = diffOf(input.before, input.after);
    const event = Object.assign(new AuditEvent(), {
      id: randomUUID(),
      stream: storableText(stream),
      actor: storableText(input.actor.actor),
      action: input.action,
      entityType: optionalText(input.entityType),
      entityId: optionalText(input.entityId),
      inquiryId: input.inquiryId ?? null,
      diff:
        input.inquiryId && !isReadAction(input.action)
          ? sealDiff(diff, await caseKey(manager, input.inquiryId))
          : diff,
      requestId: optionalText(input.actor.requestId),
      ip: optionalText(input.actor.ip),
    });
    const fragments = canonicalFragments(event);
    const { rows } = await connection.query<{
      seq: string;
      occurred_at: Date;
      prev_hash: string;
      hash: string;
    }>({
      ...APPEND,
      values: [
        event.stream,
        GENESIS_HASH,
        fragments.beforeOccurredAt,
        fragments.beforeSeq,
        fragments.afterSeq,
        event.id,
        event.actor,
        event.action,
        event.entityType,
        event.entityId,
        event.inquiryId,
        JSON.stringify(event.diff),
        event.requestId,
        event.ip,
      ],
    });
    const [appended] = rows;
    return Object.assign(event, {
      seq: Number(appended.seq),
      occurredAt: appended.occurred_at,
      prevHash: appended.prev_hash,
      hash: appended.hash,
    });
  }

  // For events that accompany no other write (a read of personal data, a verification).
  append(input: AuditEventInput): Promise<AuditEvent> {
    return this.dataSource.transaction((manager) => this.appendInTransaction(manager, input));
  }

  // Newest first. Values of an event are shown only to a viewer whose roles may read what it
  // belongs to (and, for a case's event, the case); others see which fields changed, not to
  // what. The reading is itself recorded, with the filter (ids and dates only) and the count.
  async list(filter: AuditEventFilter, viewer: AuditViewer): Promise<AuditEventPage> {
    const query = this.dataSource.getRepository(AuditEvent).createQueryBuilder('e');
    if (filter.inquiryId) {
      // An inquiry's events are its stream (the (stream, seq) index), and the records of its
      // readers, on their own streams (the entity index).
      query.andWhere(
        `(e.stream = :stream OR (e.entityType = 'inquiry' AND e.entityId = :entityId
          AND e.action IN (:...reads)))`,
        {
          stream: `inquiry:${filter.inquiryId}`,
          entityId: filter.inquiryId,
          reads: READ_ACTIONS,
        },
      );
    }
    if (filter.actorId) query.andWhere('e.actor = :actorId', filter);
    if (filter.action) query.andWhere('e.action = :action', filter);
    if (filter.entityType) query.andWhere('e.entityType = :entityType', filter);
    if (filter.entityId) query.andWhere('e.entityId = :entityId', filter);
    if (filter.from) query.andWhere('e.occurredAt >= :from', filter);
    if (filter.to) query.andWhere('e.occurredAt < :to', filter);
    const [items, total] = await query
      .orderBy('e.occurredAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .offset((filter.page - 1) * filter.pageSize)
      .limit(filter.pageSize)
      .getManyAndCount();
    const shown = items.filter((e) => maySeeValues(viewer.roles, e));
    const keys = await caseKeys(
      this.dataSource.manager,
      shown.flatMap((e) => (e.inquiryId ? [e.inquiryId] : [])),
    );
    for (const event of items) {
      event.diff = !shown.includes(event)
        ? concealDiff(event.diff)
        : event.inquiryId
          ? revealDiff(event.diff, keys.get(event.inquiryId))
          : event.diff;
    }
    await this.recordRead({
      action: 'audit.read',
      actor: viewer.actor,
      after: {
        ...Object.fromEntries(
          Object.entries({
            inquiryId: filter.inquiryId,
            actorId: filter.actorId,
            entityType: filter.entityType,
            entityId: filter.entityId,
            eventType: filter.action,
            from: filter.from?.toISOString(),
            to: filter.to?.toISOString(),
          }).filter(([, v]) => v !== undefined),
        ),
        page: filter.page,
        count: items.length,
        total,
      },
    });
    return { items, total, page: filter.page, pageSize: filter.pageSize };
  }

  // Walks every chain from a consistent snapshot; see audit-chain.verifier.ts.
  verify(): Promise<AuditVerification> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return verifyAuditChain(manager);
    });
  }

  // verify(), recorded as an `audit.verify` event by whoever asked.
  async verifyAs(actor: ActorContext): Promise<AuditVerification> {
    const result = await this.verify();
    await this.append({
      action: 'audit.verify',
      actor,
      after: {
        intact: result.intact,
        events: result.events,
        streams: result.streams,
        checkpoints: result.checkpoints,
        ...(result.intact ? {} : { firstBroken: result.firstBroken }),
      },
    });
    return result;
  }

  // Records the heads that moved since the previous checkpoint; null when none did. Safe to call
  // from several processes at once: they take turns, and the later one finds less to record.
  writeCheckpoint(): Promise<AuditCheckpoint | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK_KEY]);
      const moved = (await manager.query(TAKE_MOVED_HEADS)) as {
        stream: string;
        seq: string;
        hash: string;
      }[];
      if (moved.length === 0) return null;
      const heads: CheckpointHeads = Object.fromEntries(
        moved.map((h) => [h.stream, { seq: Number(h.seq), hash: h.hash }]),
      );
      // PostgreSQL's clock, like the events' times, so that the two compare.
      const [previous] = (await manager.query(
        `SELECT date_trunc('milliseconds', clock_timestamp()) AS now, c.id::text AS id, c.hash
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (
           SELECT id, hash FROM audit_checkpoint ORDER BY id DESC LIMIT 1
         ) c ON true`,
      )) as { now: Date; id: string | null; hash: string | null }[];
      const checkpoint = Object.assign(new AuditCheckpoint(), {
        id: previous.id ? Number(previous.id) + 1 : 1,
        createdAt: previous.now,
        heads,
        prevHash: previous.hash ?? GENESIS_HASH,
      });
      checkpoint.hash = checkpointHash(checkpoint);
      await manager.query(
        `INSERT INTO audit_checkpoint (id, created_at, heads, prev_hash, hash)
         VALUES ($1, $2, $3::jsonb, $4, $5)`,
        [
          checkpoint.id,
          checkpoint.createdAt.toISOString(),
          JSON.stringify(heads),
          checkpoint.prevHash,
          checkpoint.hash,
        ],
      );
      return checkpoint;
    });
  }
}

// The driver's connection that carries the caller's transaction (connect() hands back the one
// already held), for a statement prepared once per connection.
async function connectionOf(manager: EntityManager): Promise<PoolClient> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    throw new Error('appendInTransaction needs a manager inside a transaction');
  }
  return (await runner.connect()) as PoolClient;
}

function optionalText(value: string | undefined | null): string | null {
  return value === undefined || value === null ? null : storableText(value);
}

// Programming errors, refused before anything is written.
function assertWellFormed(input: AuditEventInput): void {
  if (!ACTION.test(input.action) || input.action.length > 100) {
    throw new Error(`audit action must look like "area.verb", got ${JSON.stringify(input.action)}`);
  }
  if (!input.actor?.actor) throw new Error('audit event needs an actor');
  if (Boolean(input.entityType) !== Boolean(input.entityId)) {
    throw new Error('audit event needs both entityType and entityId, or neither');
  }
}
