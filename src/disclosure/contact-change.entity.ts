import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ContactKind } from './trusted-contact.entity.js';

export const CONTACT_CHANGE_STATES = ['pending', 'approved', 'rejected', 'superseded'] as const;
export type ContactChangeState = (typeof CONTACT_CHANGE_STATES)[number];

// A new address or number on a verified family's record: nothing goes to it until a supervisor other than
// the one who entered it approves it (or a new verification includes it). Until then it is a
// fraud signal on the case.
@Entity()
@Check('contact_change_state_known', `"state" IN ('pending', 'approved', 'rejected', 'superseded')`)
@Index('contact_change_inquiry_idx', ['inquiryId', 'requestedAt'])
@Check('contact_change_kind_known', `"kind" IN ('email', 'phone')`)
@Index('contact_change_pending_key', ['inquiryId', 'kind', 'value'], {
  unique: true,
  where: `"state" = 'pending'`,
})
export class ContactChange {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'contact_change_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @Column({ type: 'text' })
  kind!: ContactKind;

  @Column({ type: 'text' })
  value!: string;

  @Column({ type: 'text', default: 'pending' })
  state!: ContactChangeState;

  @Column({ type: 'text' })
  requestedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
