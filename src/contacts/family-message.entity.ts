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
import type { CallDirection, MessageChannel } from './contacts.vocabulary.js';

// A visit in person or a letter on paper, recorded by the staff member who received or sent it:
// on the case's timeline and the person's conversation. Recorded, never edited.
@Entity()
@Check('family_message_channel_known', `"channel" IN ('in_person', 'paper_letter')`)
@Check('family_message_direction_known', `"direction" IN ('inbound', 'outbound')`)
@Index('family_message_inquiry_occurred_at_idx', ['inquiryId', 'occurredAt'])
export class FamilyMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'text' })
  channel!: MessageChannel;

  @Column({ type: 'text' })
  direction!: CallDirection;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  // What was said or written, as the staff member recorded it.
  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'uuid' })
  recordedBy!: string;

  @ManyToOne(() => StaffUser, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recorded_by' })
  recorder?: Relation<StaffUser>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
