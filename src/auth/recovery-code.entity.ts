import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { StaffUser } from './staff-user.entity.js';

// One-time codes for when the authenticator is lost. 80 random bits each, so a SHA-256 is a
// sufficient hash (no dictionary to try).
@Entity()
export class RecoveryCode {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('recovery_code_user_id_idx')
  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => StaffUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<StaffUser>;

  @Column({ type: 'text' })
  codeHash!: string;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
