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

// A signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so a copy
// of the table does not let anyone sign in.
@Entity()
export class StaffSession {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('staff_session_token_hash_key', { unique: true })
  @Column({ type: 'text' })
  tokenHash!: string;

  @Index('staff_session_user_id_idx')
  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => StaffUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<StaffUser>;

  // Sent back in X-CSRF-Token on every state-changing request.
  @Column({ type: 'text' })
  csrfToken!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt!: Date;

  // Absolute end, whatever the activity.
  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'text', nullable: true })
  userAgent!: string | null;
}
