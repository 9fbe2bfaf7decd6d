import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type Relation,
} from 'typeorm';
import { StaffUser } from '../auth/staff-user.entity.js';
import { Inquirer, RELATIONSHIPS, type Relationship } from '../people/inquirer.entity.js';
import { Search } from '../people/search.entity.js';
import { INQUIRY_STATES, type InquiryState } from './state-machine/inquiry-states.js';
import { CHANNELS, PRIORITIES, type Channel, type Priority } from './inquiry.vocabulary.js';
export { CHANNELS, PRIORITIES, type Channel, type Priority };

// The case. Its status only ever changes through InquiryTransitionService.
@Entity()
@Check('inquiry_channel_known', `"channel" IN ('phone', 'email', 'web', 'in_person')`)
@Check('inquiry_priority_known', `"priority" IN ('normal', 'high', 'urgent')`)
@Check('inquiry_reference_format', `"reference" ~ '^HC-[0-9]{4}-[0-9]{6,}$'`)
// Generated from the one list of states (state-machine/inquiry-states.ts).
@Check('inquiry_status_known', `"status" IN (${quoted(INQUIRY_STATES)})`)
@Check(
  'inquiry_previous_status_known',
  `"previous_status" IS NULL OR "previous_status" IN (${quoted(INQUIRY_STATES)})`,
)
@Check('inquiry_relationship_known', `"relationship" IN (${quoted(RELATIONSHIPS)})`)
export class Inquiry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  // HC-<year>-<6 digits> from the inquiry_reference_seq sequence: unique, never reused.
  @Index('inquiry_reference_key', { unique: true })
  @Column({ type: 'text' })
  reference!: string;

  @Column({ type: 'text' })
  channel!: Channel;

  @Index('inquiry_status_idx')
  @Column({ type: 'text' })
  status!: InquiryState;

  // The status before on_hold, to return to.
  @Column({ type: 'text', nullable: true })
  previousStatus!: InquiryState | null;

  @Column({ type: 'text', default: 'normal' })
  priority!: Priority;

  @Index('inquiry_assigned_to_idx')
  @Column({ type: 'uuid', nullable: true })
  assignedTo!: string | null;

  @ManyToOne(() => StaffUser, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assigned_to' })
  assignee?: Relation<StaffUser>;

  @Index('inquiry_inquirer_id_idx')
  @Column({ type: 'uuid' })
  inquirerId!: string;

  @ManyToOne(() => Inquirer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inquirer_id' })
  inquirer?: Relation<Inquirer>;

  // The person's relationship to the man this inquiry is about.
  @Column({ type: 'text' })
  relationship!: Relationship;

  // The search for the sought man: every relative's inquiry about him hangs on one.
  @Index('inquiry_search_id_idx')
  @Column({ type: 'uuid' })
  searchId!: string;

  @ManyToOne(() => Search, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'search_id' })
  search?: Relation<Search>;

  // Set when merged into another inquiry (status closed_duplicate): the one that survives.
  @Column({ type: 'uuid', nullable: true })
  duplicateOf!: string | null;

  @ManyToOne(() => Inquiry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'duplicate_of', foreignKeyConstraintName: 'FK_inquiry_duplicate_of' })
  survivor?: Relation<Inquiry>;

  @VersionColumn({ default: 1 })
  version!: number;

  @Index('inquiry_created_at_idx')
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  // When its personal data was removed (retention or a family's request for erasure); the case
  // remains for the reports and the audit trail.
  @Column({ type: 'timestamptz', nullable: true })
  pseudonymisedAt!: Date | null;
}

function quoted(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
