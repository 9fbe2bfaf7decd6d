import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer.js';

export type CheckpointHeads = Record<string, { seq: number; hash: string }>;

// A periodic, hash-chained record of stream heads: `heads` holds every stream whose head moved
// since the previous checkpoint. Ids are consecutive from 1 (assigned under an advisory lock),
// so a missing checkpoint shows as a gap. Append-only like audit_event.
@Entity('audit_checkpoint')
@Check(
  'audit_checkpoint_hash_format',
  `"hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$'`,
)
export class AuditCheckpoint {
  @PrimaryColumn({
    type: 'bigint',
    primaryKeyConstraintName: 'audit_checkpoint_pkey',
    transformer: bigintAsNumber,
  })
  id!: number;

  @Column({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'jsonb' })
  heads!: CheckpointHeads;

  @Column({ type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}
