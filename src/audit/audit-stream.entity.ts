import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer.js';

// The head of one chain: its last position and hash. Appending locks this row (upsert) until the
// caller's transaction ends, which serialises appends to the same stream and nothing else.
@Entity('audit_stream')
export class AuditStream {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'audit_stream_pkey' })
  stream!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  lastSeq!: number;

  @Column({ type: 'text' })
  lastHash!: string;

  // The last event's prev_hash: the append statement can only return the head's new values.
  @Column({ type: 'text' })
  prevHash!: string;

  // The last event's occurred_at.
  @Column({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  // The position recorded by the latest checkpoint, so that a checkpoint records only the heads
  // that moved since. Bookkeeping, not evidence: verify never trusts it.
  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  checkpointedSeq!: number;
}
