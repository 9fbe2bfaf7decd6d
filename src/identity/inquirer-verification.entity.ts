import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Inquiry } from '../inquiries/inquiry.entity.js';

export const VERIFICATION_METHODS = [
  'video_call',
  'callback_verified_number',
  'in_person',
] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];
export const VERIFICATION_OUTCOMES = ['verified', 'failed'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];
export const VERIFICATION_QUESTIONS = ['fathers_first_name', 'mothers_maiden_name'] as const;
export type VerificationQuestion = (typeof VERIFICATION_QUESTIONS)[number];

// A document the verifier saw. The number is sealed (AES-256-GCM, DATA_ENCRYPTION_KEY); only its
// last four characters are ever shown.
export interface SeenDocument {
  kind: string;
  numberSealed: string;
  numberLast4: string;
  // SecretBox.digest of the number (letters and digits, upper case): the fraud signals find the
  // same document on other cases by it.
  numberDigest: string;
}

// A question only the family can answer, and whether the answer agrees with the registry record
// of the matched prisoner (null: no confirmed match, or the registry lacks it).
export interface VerificationAnswer {
  question: VerificationQuestion;
  answer: string;
  agreesWithRegistry: boolean | null;
}

// That the inquirer is who she says and is related as she says: what was seen, asked and by what
// means, and the outcome. It counts only once a second, different user has countersigned it.
@Entity()
// The fraud signals' index on document digests (VerificationDocumentIndex migration).
@Index('inquirer_verification_documents', { synchronize: false })
// The reports' unsigned verifications by when they were made (ReportTallies migration).
@Index('inquirer_verification_unsigned_idx', { synchronize: false })
@Check(
  'inquirer_verification_method_known',
  `"method" IN ('video_call', 'callback_verified_number', 'in_person')`,
)
@Check('inquirer_verification_outcome_known', `"outcome" IN ('verified', 'failed')`)
@Check(
  'inquirer_verification_four_eyes',
  `"countersigned_by" IS NULL OR "countersigned_by" <> "verified_by"`,
)
export class InquirerVerification {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('inquirer_verification_inquiry_idx')
  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  documents!: SeenDocument[];

  @Column({ type: 'text' })
  relationshipEvidence!: string;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  answers!: VerificationAnswer[];

  @Column({ type: 'text' })
  method!: VerificationMethod;

  @Column({ type: 'text' })
  outcome!: VerificationOutcome;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'uuid' })
  verifiedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  verifiedAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  countersignedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  countersignedAt!: Date | null;
}
