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

// (a) that his detention may be disclosed to this inquirer; (b) that he be handed over to them.
export const CONSENT_KINDS = ['disclosure', 'handover'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];
// `withdrawn`: he had given it and takes it back (a later record); for what it allows, the same as
// refused.
export const CONSENT_DECISIONS = ['given', 'refused', 'withdrawn'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

// The prisoner's word, recorded after an interview: when, by whom, and what he decided. The
// latest record of a kind for an inquiry is the one that counts.
@Entity()
@Check('prisoner_consent_kind_known', `"kind" IN ('disclosure', 'handover')`)
@Check('prisoner_consent_decision_known', `"decision" IN ('given', 'refused', 'withdrawn')`)
@Index('prisoner_consent_inquiry_kind_idx', ['inquiryId', 'kind', 'recordedAt'])
export class PrisonerConsent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'uuid' })
  prisonerId!: string;

  @ManyToOne(() => Prisoner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'prisoner_id' })
  prisoner?: Relation<Prisoner>;

  @Column({ type: 'text' })
  kind!: ConsentKind;

  @Column({ type: 'text' })
  decision!: ConsentDecision;

  @Column({ type: 'date' })
  interviewedOn!: string;

  // The staff member who interviewed him.
  @Column({ type: 'uuid' })
  interviewedBy!: string;

  @Column({ type: 'uuid' })
  recordedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;
}
