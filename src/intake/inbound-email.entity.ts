import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Inquiry } from '../inquiries/inquiry.entity.js';

// received: stored, not processed yet (or processing died: it is picked up again).
// attached: on an existing case. opened: a new inquiry. auto_reply: an automatic answer on a
// case. bounce: a delivery report. ignored: kept, with the reason — a mailing list or our own
// message come back, nothing else. review: reaches no case and is neither of those (an automatic
// reply to nothing, a letter with no sender address): it waits for a person, who opens a case
// with it, files it on one, or sets it aside. quarantined: a step failed; the error is kept with
// the raw bytes. discarded: a person set a quarantined or reviewed message aside, with why.
export const INTAKE_OUTCOMES = [
  'received',
  'attached',
  'opened',
  'auto_reply',
  'bounce',
  'ignored',
  'review',
  'quarantined',
  'discarded',
] as const;
export type IntakeOutcome = (typeof INTAKE_OUTCOMES)[number];

export interface AuthenticationResults {
  server: string;
  spf: string | null;
  dkim: string | null;
  dmarc: string | null;
  // Written by our own receiving server (INTAKE_AUTHSERV_IDS); otherwise anyone could have.
  verified?: boolean;
}

// One message as it arrived, raw bytes first; everything else is derived from them.
@Entity()
@Check(
  'inbound_email_outcome_known',
  `"outcome" IN ('received', 'attached', 'opened', 'auto_reply', 'bounce', 'ignored', 'review', 'quarantined', 'discarded')`,
)
@Index('inbound_email_outcome_idx', ['outcome', 'receivedAt'])
@Index('inbound_email_message_content_key', ['messageId', 'contentSha256'], {
  unique: true,
  where: '"message_id" IS NOT NULL AND "content_sha256" IS NOT NULL',
})
export class InboundEmail {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  // 'webhook', or 'imap:<mailbox>'.
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'bytea' })
  raw!: Buffer;

  // Of the raw bytes: the same message delivered again is the same row.
  @Index('inbound_email_sha256_key', { unique: true })
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'int' })
  sizeBytes!: number;

  // Of the body (the bytes after the header block). With the Message-ID it recognises the same
  // message delivered again along another path, whose transport headers differ.
  @Column({ type: 'text', nullable: true })
  contentSha256!: string | null;

  @Index('inbound_email_message_id_idx')
  @Column({ type: 'text', nullable: true })
  messageId!: string | null;

  @Column({ type: 'text', nullable: true })
  inReplyTo!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  references!: string[];

  @Column({ type: 'text', nullable: true })
  fromAddress!: string | null;

  @Column({ type: 'text', nullable: true })
  fromName!: string | null;

  @Column({ type: 'text', nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true })
  textBody!: string | null;

  // The HTML part, sanitised for display (no scripts, styles, remote images or event handlers).
  @Column({ type: 'text', nullable: true })
  htmlBody!: string | null;

  // SPF, DKIM and DMARC results from the topmost Authentication-Results header our receiving
  // server wrote (verified), else from the topmost one there is (unverified: anyone could have
  // written it). Null when there is none.
  @Column({ type: 'jsonb', nullable: true })
  authentication!: AuthenticationResults | null;

  // ru, uk or other: guessed from the text.
  @Column({ type: 'text', nullable: true })
  language!: string | null;

  @Column({ type: 'text', default: 'received' })
  outcome!: IntakeOutcome;

  @Index('inbound_email_inquiry_idx')
  @Column({ type: 'uuid', nullable: true })
  inquiryId!: string | null;

  @ManyToOne(() => Inquiry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inquiry_id', foreignKeyConstraintName: 'FK_inbound_email_inquiry' })
  inquiry?: Relation<Inquiry>;

  // Attached from an address the case does not know (by its reference, a reply to our mail, an
  // automatic answer or a report): a person checks.
  @Column({ type: 'boolean', default: false })
  needsReview!: boolean;

  // Why it might be automatic though its headers do not say so (words in the subject, bulk
  // precedence): shown to the person reading it, never acted on.
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  hints!: string[];

  // Why it was ignored, or the step that failed.
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}
