import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalEvent,
  canonicalFragments,
  hashFromFragments,
  checkpointHash,
  eventHash,
  GENESIS_HASH,
  type HashedEvent,
} from './audit-hash.util.js';

function makeEvent(overrides: Partial<HashedEvent> = {}): HashedEvent {
  return {
    id: '0b6a3f4e-8f1c-4d5e-9a7b-2c3d4e5f6a7b',
    stream: 'inquiry:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    seq: 1,
    occurredAt: new Date('2026-05-01T10:00:00.123Z'),
    actor: 'system:intake',
    action: 'inquiry.create',
    entityType: null,
    entityId: null,
    inquiryId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    diff: { status: { to: 'received' } },
    requestId: null,
    ip: null,
    prevHash: GENESIS_HASH,
    ...overrides,
  };
}

describe('canonicalEvent', () => {
  it('is RFC 8785 JSON of every column but hash, keys sorted, nulls kept', () => {
    expect(canonicalEvent(makeEvent())).toBe(
      '{"action":"inquiry.create","actor":"system:intake","diff":{"status":{"to":"received"}},' +
        '"entity_id":null,"entity_type":null,"id":"0b6a3f4e-8f1c-4d5e-9a7b-2c3d4e5f6a7b",' +
        '"inquiry_id":"6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f","ip":null,' +
        '"occurred_at":"2026-05-01T10:00:00.123Z","prev_hash":"' +
        GENESIS_HASH +
        '","request_id":null,"seq":1,"stream":"inquiry:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}',
    );
  });
});

describe('eventHash', () => {
  it('is SHA-256 of the previous hash followed by the canonical JSON', () => {
    const event = makeEvent();
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalEvent(event))
      .digest('hex');

    expect(eventHash(event)).toBe(expected);
  });

  it.each<[string, Partial<HashedEvent>]>([
    ['id', { id: '0b6a3f4e-8f1c-4d5e-9a7b-2c3d4e5f6a7c' }],
    ['stream', { stream: 'actor:system:intake' }],
    ['seq', { seq: 2 }],
    ['occurredAt', { occurredAt: new Date('2026-05-01T10:00:00.124Z') }],
    ['actor', { actor: 'anonymous' }],
    ['action', { action: 'inquiry.read' }],
    ['entityType', { entityType: 'inquiry' }],
    ['entityId', { entityId: 'x' }],
    ['inquiryId', { inquiryId: null }],
    ['diff', { diff: { status: { to: 'closed' } } }],
    ['requestId', { requestId: 'r' }],
    ['ip', { ip: '127.0.0.1' }],
    ['prevHash', { prevHash: 'f'.repeat(64) }],
  ])('changes when %s changes', (_field, change) => {
    expect(eventHash(makeEvent(change))).not.toBe(eventHash(makeEvent()));
  });
});

describe('hashFromFragments (what PostgreSQL computes on append)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'я', '"', '\\', '😀', '\u2028', '/') });
  const nullable = fc.option(text, { nil: null });

  it('equals eventHash for any event', () => {
    fc.assert(
      fc.property(
        fc.record({
          actor: text,
          action: text,
          entityType: nullable,
          entityId: nullable,
          requestId: nullable,
          ip: nullable,
          stream: text,
          seq: fc.integer({ min: 1, max: 2 ** 40 }),
          at: fc.integer({ min: 0, max: 4_102_444_800_000 }),
          diff: fc.dictionary(text, fc.oneof(text, fc.double(), fc.boolean(), fc.constant(null))),
        }),
        ({ at, diff, ...fields }) => {
          const event = makeEvent({
            ...fields,
            occurredAt: new Date(at),
            diff: JSON.parse(JSON.stringify(diff)) as Record<string, unknown>,
            prevHash: 'c'.repeat(64),
          });

          expect(hashFromFragments(canonicalFragments(event), event)).toBe(eventHash(event));
        },
      ),
    );
  });
});

describe('checkpointHash', () => {
  it('does not depend on the order of the heads', () => {
    const base = { id: 1, createdAt: new Date(0), prevHash: GENESIS_HASH };
    const a = { x: { seq: 1, hash: 'a' }, y: { seq: 2, hash: 'b' } };
    const b = { y: { seq: 2, hash: 'b' }, x: { seq: 1, hash: 'a' } };

    expect(checkpointHash({ ...base, heads: a })).toBe(checkpointHash({ ...base, heads: b }));
    expect(checkpointHash({ ...base, heads: a })).not.toBe(
      checkpointHash({ ...base, heads: { ...a, x: { seq: 2, hash: 'a' } } }),
    );
  });
});
