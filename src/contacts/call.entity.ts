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
import { StaffUser } from '../auth/staff-user.entity.js';
import { Inquiry } from '../inquiries/inquiry.entity.js';
import {
  CALL_DIRECTIONS,
  CALL_OUTCOMES,
  type CallDirection,
  type CallOutcome,
} from './contacts.vocabulary.js';
export { CALL_DIRECTIONS, CALL_OUTCOMES, type CallDirection, type CallOutcome };

// One phone call with the family, in either direction, on the case timeline. Logged, never edited.
@Entity()
@Check('call_direction_known', `"direction" IN ('inbound', 'outbound')`)
@Check(
  'call_outcome_known',
  `"outcome" IN ('answered', 'no_answer', 'busy', 'voicemail', 'wrong_number', 'other')`,
)
@Check('call_duration_not_negative', `"duration_seconds" >= 0`)
@Index('call_inquiry_occurred_at_idx', ['inquiryId', 'occurredAt'])
export class Call {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'text' })
  direction!: CallDirection;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'int', default: 0 })
  durationSeconds!: number;

  @Column({ type: 'text' })
  outcome!: CallOutcome;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  // Who made or took the call.
  @Index('call_staff_id_idx')
  @Column({ type: 'uuid' })
  staffId!: string;

  @ManyToOne(() => StaffUser, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'staff_id' })
  staff?: Relation<StaffUser>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
