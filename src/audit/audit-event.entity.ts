import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer.js';

// One entry of the audit trail. Rows are only ever inserted (a trigger refuses UPDATE, DELETE
// and TRUNCATE), each chained to the previous event of its stream by `prevHash`. Every column
// but `hash` goes into the hash, so the row must round-trip exactly: the id and the time are
// made by the application, the time with millisecond precision (the column keeps no more).
@Entity('audit_event')
@Index('audit_event_stream_seq_key', ['stream', 'seq'], { unique: true })
@Index('audit_event_occurred_at_idx', ['occurredAt', 'id'])
@Index('audit_event_actor_idx', ['actor', 'occurredAt'])
@Index('audit_event_action_idx', ['action', 'occurredAt'])
@Index('audit_event_entity_idx', ['entityType', 'entityId', 'occurredAt'], {
  where: '"entity_type" IS NOT NULL',
})
@Check('audit_event_seq_positive', `"seq" >= 1`)
@Check('audit_event_hash_format', `"hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$'`)
export class AuditEvent {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'audit_event_pkey' })
  id!: string;

  // The chain this event belongs to: `inquiry:<id>`, `<entityType>:<entityId>` or `actor:<actor>`.
  @Column({ type: 'text' })
  stream!: string;

  // Position in the stream, from 1, without gaps.
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  seq!: number;

  @Column({ type: 'timestamptz', precision: 3 })
  occurredAt!: Date;

  // A staff user id, `system:<component>` or `anonymous`.
  @Column({ type: 'text' })
  actor!: string;

  // What happened, `<area>.<verb>`: `user.login`, `inquiry.transition`, …
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text', nullable: true })
  entityType!: string | null;

  @Column({ type: 'text', nullable: true })
  entityId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  inquiryId!: string | null;

  // Changed fields only, `{ field: { from, to } }`, secrets masked.
  @Column({ type: 'jsonb' })
  diff!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  // Hash of the previous event of the stream; 64 zeros for the first.
  @Column({ type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}
