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
import { Inquiry } from '../inquiries/inquiry.entity.js';
import { HandoverLocation } from './handover-location.entity.js';

export const APPOINTMENT_STATES = [
  'scheduled',
  'postponed',
  'failed',
  'awaiting_confirmation',
  'completed',
] as const;
export type AppointmentState = (typeof APPOINTMENT_STATES)[number];

// The handover in Kyiv: where, when, which officials. Postponed (a new appointment follows) or
// failed with a reason; completed with the time and the act number by one official and
// confirmed by a second, different one. One open appointment per case. Rescheduled with its
// version (a stale one is refused).
@Entity()
@Check(
  'handover_appointment_state_known',
  `"state" IN ('scheduled', 'postponed', 'failed', 'awaiting_confirmation', 'completed')`,
)
@Check(
  'handover_appointment_four_eyes',
  `"confirmed_by" IS NULL OR "confirmed_by" <> "completed_by"`,
)
@Check(
  'handover_appointment_completion_whole',
  `"state" NOT IN ('awaiting_confirmation', 'completed') OR ("handed_over_at" IS NOT NULL AND "act_number" IS NOT NULL AND "completed_by" IS NOT NULL)`,
)
@Index('handover_appointment_one_open', ['inquiryId'], {
  unique: true,
  where: `"state" IN ('scheduled', 'awaiting_confirmation', 'completed')`,
})
export class HandoverAppointment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('handover_appointment_inquiry_idx')
  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'uuid' })
  locationId!: string;

  @ManyToOne(() => HandoverLocation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'location_id' })
  location?: Relation<HandoverLocation>;

  @Column({ type: 'timestamptz' })
  scheduledAt!: Date;

  // The officials who will be present, by name and position.
  @Column({ type: 'text', array: true })
  officials!: string[];

  @Column({ type: 'text', default: 'scheduled' })
  state!: AppointmentState;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  // The family has not (yet) been recorded as arrived in Kyiv, and a supervisor lets the handover
  // be scheduled anyway, saying why.
  @Column({ type: 'uuid', nullable: true })
  arrivalOverrideBy!: string | null;

  @Column({ type: 'text', nullable: true })
  arrivalOverrideReason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  handedOverAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  actNumber!: string | null;

  @Column({ type: 'uuid', nullable: true })
  completedBy!: string | null;

  @Column({ type: 'uuid', nullable: true })
  confirmedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
