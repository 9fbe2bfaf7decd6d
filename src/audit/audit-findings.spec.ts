import { describe, expect, it } from '@jest/globals';
import { ALTERED, CONSEQUENCE, Findings, type Finding } from './audit-findings.js';

function makeFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    at: new Date('2026-05-01T10:00:00.000Z'),
    rank: CONSEQUENCE,
    eventId: 'b',
    stream: 'inquiry:x',
    seq: 1,
    reason: 'r',
    ...overrides,
  };
}

describe('Findings', () => {
  it.each<[string, Partial<Finding>, Partial<Finding>]>([
    ['the earlier break', { at: new Date('2026-05-01T09:59:59.999Z') }, {}],
    ['at the same time, the altered event before the links it breaks', { rank: ALTERED }, {}],
    ['at the same time and rank, the lower id', { eventId: 'a' }, {}],
  ])('keeps %s first, whatever the order they come in', (_name, winner, loser) => {
    const first = makeFinding(winner);
    const other = makeFinding(loser);
    const a = new Findings();
    const b = new Findings();

    a.add(first);
    a.add(other);
    b.add(other);
    b.add(first);

    expect(a.first).toBe(first);
    expect(b.first).toBe(first);
    expect(a.count).toBe(2);
  });
});
