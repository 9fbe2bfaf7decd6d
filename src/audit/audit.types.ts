import type { ActorContext } from '../common/request-context.js';
import type { AuditEvent } from './audit-event.entity.js';

// What a module hands to AuditService to record one thing that happened.
export interface AuditEventInput {
  // `<area>.<verb>`: `user.login`, `inquiry.transition`, `inquiry.read`, …
  action: string;
  actor: ActorContext;
  entityType?: string;
  entityId?: string;
  // The inquiry the event belongs to, if any: it then joins that inquiry's chain.
  inquiryId?: string;
  // The record before and after the change; only changed fields are kept, secrets masked.
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditEventFilter {
  inquiryId?: string;
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  // from ≤ occurredAt < to
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export interface AuditEventPage {
  items: AuditEvent[];
  total: number;
  page: number;
  pageSize: number;
}

export interface BrokenLink {
  // The event where the break shows: the altered event, the one after a gap, or the last event
  // of a stream whose head or checkpoint says it went further. Null when there is no such event.
  eventId: string | null;
  stream: string | null;
  seq: number | null;
  // Set when the break is in, or was found through, a checkpoint.
  checkpointId?: number;
  reason: string;
}

export type AuditVerification =
  | { intact: true; events: number; streams: number; checkpoints: number }
  | {
      intact: false;
      events: number;
      streams: number;
      checkpoints: number;
      // How many breaks were found in all (one per broken event, head or checkpoint entry).
      problems: number;
      firstBroken: BrokenLink;
    };
