import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// pending → sending (claimed, under a lease) → sent | pending again (temporary failure, later) |
// failed (permanent, or out of attempts) | suppressed (may no longer be sent). A family notice
// the disclosure gate will not let go yet is held (on the case, with the reason) until the gate
// lets it go or gives it up. A supervisor may put a failed message back to pending, or cancel it.
export const OUTBOX_STATES = [
  'pending',
  'sending',
  'sent',
  'failed',
  'suppressed',
  'cancelled',
  'held',
] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
export type RecipientKind = 'inquirer' | 'staff';

// A message to send, written in the same transaction as the event that causes it; MailSender
// claims pending rows. The payload, with the case and the recipient, renders the message.
@Entity()
@Check(
  'outbox_state_known',
  `"state" IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled', 'held')`,
)
@Check('outbox_recipient_kind_known', `"recipient_kind" IN ('inquirer', 'staff')`)
// A family's notice bears the gate's decision (the family stage it was decided at); no other does.
@Check(
  'outbox_family_notice_gated',
  `("recipient_kind" = 'inquirer') = ("family_stage" IS NOT NULL)`,
)
@Check('outbox_channel_known', `"channel" IS NULL OR "channel" IN ('email', 'phone')`)
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

  // How it went, once sent: by email, or to be told by phone (a callback on the case).
  @Column({ type: 'text', nullable: true })
  channel!: 'email' | 'phone' | null;

  // Ours, <outbox id@MAIL_FROM's domain>: set at the first claim and kept for every retry, so a
  // mail client can drop a duplicate; later messages of the case refer to it for threading.
  @Index('outbox_message_id_key', { unique: true })
  @Column({ type: 'text', nullable: true })
  messageId!: string | null;

  // While sending: until when the claim holds. A sender that dies leaves it to expire.
  @Index('outbox_lease_idx', { where: `"state" = 'sending'` })
  @Column({ type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  // The current claim's token (see MailSender): outcomes are recorded only by its holder.
  @Column({ type: 'uuid', nullable: true })
  claimToken!: string | null;

  // For a family's notice: the family stage the disclosure gate decided it at.
  @Column({ type: 'text', nullable: true })
  familyStage!: string | null;

  // As sent (for the caseworker's timeline and the failed list); no body, no address.
  @Column({ type: 'text', nullable: true })
  subject!: string | null;
}
