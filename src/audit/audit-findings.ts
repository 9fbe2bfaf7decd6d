import type { BrokenLink } from './audit.types.js';

// How a break ranks when two are dated alike: an event whose own contents no longer match its
// hash is the altered one; the broken links and heads around it are consequences.
export const ALTERED = 0;
export const CONSEQUENCE = 1;

export interface Finding extends BrokenLink {
  // When the break is dated: the event's occurred_at, or the head's / checkpoint's time.
  at: Date;
  rank: number;
}

// Keeps the earliest break (by time, then rank, then id) and counts them all, in constant memory.
export class Findings {
  first?: Finding;
  count = 0;

  add(finding: Finding): void {
    this.count += 1;
    if (!this.first || compare(finding, this.first) < 0) this.first = finding;
  }
}

function compare(a: Finding, b: Finding): number {
  return (
    a.at.getTime() - b.at.getTime() ||
    a.rank - b.rank ||
    (a.eventId ?? '').localeCompare(b.eventId ?? '') ||
    (a.checkpointId ?? 0) - (b.checkpointId ?? 0)
  );
}
