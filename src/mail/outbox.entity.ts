import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed', 'suppressed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
export type RecipientKind = 'inquirer' | 'staff';

// A message to send, written in the same transaction as the event that causes it; the sender
// (a later issue) claims pending rows. The payload is enough to render the message alone.
@Entity()
@Check('outbox_state_known', `"state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed')`)
@Check('outbox_recipient_kind_known', `"recipient_kind" IN ('inquirer', 'staff')`)
@Index('outbox_pending_idx', ['state', 'availableAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  eventType!: string;

  @Index('outbox_inquiry_idx')
  @Column({ type: 'uuid', nullable: true })
  inquiryId!: string | null;

  @Column({ type: 'text' })
  recipientKind!: RecipientKind;

  // The inquirer's or staff user's id.
  @Column({ type: 'uuid', nullable: true })
  recipientId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload!: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  state!: OutboxState;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  availableAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;
}
