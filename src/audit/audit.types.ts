import type { ActorContext } from '../common/request-context.js';
import type { AuditAction } from './audit-actions.js';
import type { AuditEvent } from './audit-event.entity.js';

// What a module hands to AuditService to record one thing that happened.
export interface AuditEventInput {
  // `<area>.<verb>`, one of AUDIT_ACTIONS: `user.login`, `inquiry.transition`, …
  action: AuditAction;
  actor: ActorContext;
  entityType?: string;
  entityId?: string;
  // The inquiry the event belongs to, if any: it then joins that inquiry's chain.
  inquiryId?: string;
  // The record before and after the change; only changed fields are kept, secrets masked.
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

// Someone read personal data: what (a read action), of which case or record, and how much.
export interface AuditReadInput {
  action: AuditAction;
  actor: ActorContext;
  inquiryId?: string;
  // What was read when it belongs to no case (a registry record, a report); a part of a case is
  // named in `after` (an attachment's id).
  entityType?: string;
  entityId?: string;
  // Plain facts only (counts, ids): no value read is ever copied here.
  after?: Record<string, unknown>;
}

// Who reads the audit log: their roles decide which values they see.
export interface AuditViewer {
  actor: ActorContext;
  roles: readonly string[];
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
