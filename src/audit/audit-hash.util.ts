import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { CheckpointHeads } from './audit-checkpoint.entity.js';

// The previous hash of the first event of every stream, and of the first checkpoint.
export const GENESIS_HASH = '0'.repeat(64);

// Every stored column of an event except `hash`, as the application holds it.
export interface HashedEvent {
  id: string;
  stream: string;
  seq: number;
  occurredAt: Date;
  actor: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  inquiryId: string | null;
  diff: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
  prevHash: string;
}

export interface HashedCheckpoint {
  id: number;
  createdAt: Date;
  heads: CheckpointHeads;
  prevHash: string;
}

// RFC 8785 JSON of the row under its column names, so that anyone can re-check the chain from
// the database alone: hash = hex(SHA-256(prev_hash ‖ this)), both sides as UTF-8 text, times as
// ISO 8601 UTC with milliseconds, absent values as null.
export function canonicalEvent(event: HashedEvent): string {
  return canonicalize({
    action: event.action,
    actor: event.actor,
    diff: event.diff,
    entity_id: event.entityId,
    entity_type: event.entityType,
    id: event.id,
    inquiry_id: event.inquiryId,
    ip: event.ip,
    occurred_at: event.occurredAt.toISOString(),
    prev_hash: event.prevHash,
    request_id: event.requestId,
    seq: event.seq,
    stream: event.stream,
  })!;
}

export function eventHash(event: HashedEvent): string {
  return sha256(event.prevHash + canonicalEvent(event));
}

// The canonical JSON of an event, cut where PostgreSQL splices in what only it knows at append
// time — the time, the previous hash and the position — so that an append is one statement.
export interface CanonicalFragments {
  beforeOccurredAt: string;
  beforeSeq: string;
  afterSeq: string;
}

export function canonicalFragments(
  event: Omit<HashedEvent, 'seq' | 'occurredAt' | 'prevHash'>,
): CanonicalFragments {
  const fixed = canonicalize({
    action: event.action,
    actor: event.actor,
    diff: event.diff,
    entity_id: event.entityId,
    entity_type: event.entityType,
    id: event.id,
    inquiry_id: event.inquiryId,
    ip: event.ip,
  })!;
  return {
    beforeOccurredAt: `${fixed.slice(0, -1)},"occurred_at":"`,
    beforeSeq: `","request_id":${canonicalize(event.requestId)!},"seq":`,
    afterSeq: `,"stream":${canonicalize(event.stream)!}}`,
  };
}

// What audit_event_hash() computes in PostgreSQL (see the AuditLog migration), written out
// here so that a test can hold the two to eventHash().
export function hashFromFragments(
  fragments: CanonicalFragments,
  chain: { prevHash: string; seq: number; occurredAt: Date },
): string {
  return sha256(
    chain.prevHash +
      fragments.beforeOccurredAt +
      chain.occurredAt.toISOString() +
      '","prev_hash":"' +
      chain.prevHash +
      fragments.beforeSeq +
      String(chain.seq) +
      fragments.afterSeq,
  );
}

export function checkpointHash(checkpoint: HashedCheckpoint): string {
  const content = canonicalize({
    created_at: checkpoint.createdAt.toISOString(),
    heads: checkpoint.heads,
    id: checkpoint.id,
    prev_hash: checkpoint.prevHash,
  })!;
  return sha256(checkpoint.prevHash + content);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
