import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  VersionColumn,
  type Relation,
} from 'typeorm';
import { StaffUser } from '../auth/staff-user.entity.js';
import { Inquiry } from '../inquiries/inquiry.entity.js';
import { Call } from './call.entity.js';

export const CALLBACK_STATES = ['open', 'done', 'missed', 'cancelled'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];
export type ClosedCallbackState = Exclude<CallbackState, 'open'>;

export const MAX_CALLBACK_WINDOW_MINUTES = 480;

// A promise to the family: "you will receive a call" between dueAt and dueAt + windowMinutes.
// Open until someone completes it, marks it missed or cancels it; overdue while open after the
// window has passed. completedBy/completedAt record whoever closed it, whichever way.
@Entity()
@Check('callback_state_known', `"state" IN ('open', 'done', 'missed', 'cancelled')`)
@Check('callback_window_range', `"window_minutes" BETWEEN 0 AND 480`)
@Check('callback_phone_e164', `"phone" IS NULL OR "phone" ~ '^\\+[1-9][0-9]{6,14}$'`)
@Check(
  'callback_closed_consistent',
  `("state" = 'open') = ("completed_at" IS NULL) AND ("state" = 'open') = ("completed_by" IS NULL)`,
)
@Check('callback_completing_call_when_done', `"completing_call_id" IS NULL OR "state" = 'done'`)
@Check('callback_made_by_someone', `"created_by" IS NOT NULL OR "notice_id" IS NOT NULL`)
@Index('callback_state_due_at_idx', ['state', 'dueAt'])
@Index('callback_inquiry_due_at_idx', ['inquiryId', 'dueAt'])
export class Callback {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  // The promise runs from dueAt to dueAt + windowMinutes ("between 14:00 and 16:00").
  @Column({ type: 'int', default: 60 })
  windowMinutes!: number;

  // E.164: the number given, else the inquirer's first phone when the callback was scheduled.
  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'text', default: 'open' })
  state!: CallbackState;

  // The staff member who promised the call; null for a call the service asks for: a notice to
  // a family who hear from us by phone (noticeId).
  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => StaffUser, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by' })
  creator?: Relation<StaffUser>;

  @Column({ type: 'uuid', nullable: true })
  completedBy!: string | null;

  @ManyToOne(() => StaffUser, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'completed_by' })
  completer?: Relation<StaffUser>;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  // The call that kept the promise, when known.
  @Column({ type: 'uuid', nullable: true })
  completingCallId!: string | null;

  @ManyToOne(() => Call, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'completing_call_id' })
  completingCall?: Relation<Call>;

  // Notes given when it was completed or missed, or the reason it was cancelled.
  @Column({ type: 'text', nullable: true })
  closingNote!: string | null;

  // When the staff member responsible was told the callback is overdue (once).
  @Column({ type: 'timestamptz', nullable: true })
  overdueNotifiedAt!: Date | null;

  // The family notice this call is to tell (its outbox row): one call per notice, however often
  // the sender tries.
  @Index('callback_notice_key', { unique: true, where: `"notice_id" IS NOT NULL` })
  @Column({ type: 'uuid', nullable: true })
  noticeId!: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
