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

// The journey's steps, in the order they happen.
export const TRAVEL_STEPS = [
  'entered_poland',
  'at_crossing',
  'crossed_into_ukraine',
  'met_by_escort',
  'arrived_in_kyiv',
] as const;
export type TravelStep = (typeof TRAVEL_STEPS)[number];

// A step of the journey as staff heard of it, with when it happened. One per step and inquiry.
@Entity()
@Check(
  'travel_event_step_known',
  `"step" IN ('entered_poland', 'at_crossing', 'crossed_into_ukraine', 'met_by_escort', 'arrived_in_kyiv')`,
)
@Index('travel_event_step_key', ['inquiryId', 'step'], { unique: true })
export class TravelEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'text' })
  step!: TravelStep;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'uuid' })
  recordedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;
}
