import {
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

// A family's link to their case's status page. The token (256 random bits) is given once and
// never stored: only its SHA-256. It expires, staff can revoke it, and a new one replaces it.
@Entity()
export class StatusLink {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('status_link_inquiry_idx')
  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Index('status_link_token_key', { unique: true })
  @Column({ type: 'text', select: false })
  tokenSha256!: string;

  // A staff user's id, or system:mail when it went out with the acknowledgement.
  @Column({ type: 'text' })
  issuedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  issuedAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastViewedAt!: Date | null;
}
