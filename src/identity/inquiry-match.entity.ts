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
import { Prisoner } from '../registry/prisoner.entity.js';
import type { MatchExplanation } from './match-score.js';

export const MATCH_STATES = ['proposed', 'confirmed', 'rejected'] as const;
export type MatchState = (typeof MATCH_STATES)[number];

// A registry prisoner proposed as the inquiry's sought person, with the score and its
// explanation as they were when proposed. It counts (`confirmed`) only once a different user has
// countersigned it; either user may reject it with a reason. One proposed or confirmed match per
// inquiry at a time.
@Entity()
@Check('inquiry_match_state_known', `"state" IN ('proposed', 'confirmed', 'rejected')`)
@Check(
  'inquiry_match_four_eyes',
  `"countersigned_by" IS NULL OR "countersigned_by" <> "proposed_by"`,
)
@Check(
  'inquiry_match_rejection_reason',
  `"state" <> 'rejected' OR ("rejected_by" IS NOT NULL AND "reason" IS NOT NULL)`,
)
@Check(
  'inquiry_match_confirmation_signed',
  `"state" <> 'confirmed' OR "countersigned_by" IS NOT NULL`,
)
@Index('inquiry_match_one_open', ['inquiryId'], {
  unique: true,
  where: `"state" IN ('proposed', 'confirmed')`,
})
export class InquiryMatch {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('inquiry_match_inquiry_idx')
  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Index('inquiry_match_prisoner_idx')
  @Column({ type: 'uuid' })
  prisonerId!: string;

  @ManyToOne(() => Prisoner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'prisoner_id' })
  prisoner?: Relation<Prisoner>;

  @Column({ type: 'text', default: 'proposed' })
  state!: MatchState;

  @Column({ type: 'real' })
  score!: number;

  @Column({ type: 'jsonb' })
  explanation!: MatchExplanation;

  @Column({ type: 'uuid' })
  proposedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  proposedAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  countersignedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  countersignedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  rejectedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  rejectedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
