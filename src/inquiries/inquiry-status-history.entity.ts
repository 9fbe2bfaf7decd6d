import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Inquiry } from './inquiry.entity.js';
import type { InquiryState } from './state-machine/inquiry-states.js';

// One row per status entered; `leftAt` is set when the next one is entered. Reports compute
// time in state from it.
@Entity()
@Index('inquiry_status_history_inquiry_idx', ['inquiryId', 'enteredAt'])
export class InquiryStatusHistory {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'text' })
  status!: InquiryState;

  // The transition that led here; null for the first row.
  @Column({ type: 'text', nullable: true })
  transition!: string | null;

  @Column({ type: 'timestamptz' })
  enteredAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  leftAt!: Date | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
