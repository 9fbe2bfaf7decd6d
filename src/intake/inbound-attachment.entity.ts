import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { InboundEmail } from './inbound-email.entity.js';

// One attachment of a received message, kept or not: every part the message carried is listed,
// and one that was not kept says why. A blocked one (an executable, or an archive holding one
// or one that cannot be looked into) is kept but never served.
@Entity()
@Index('inbound_attachment_email_idx', ['inboundEmailId', 'position'], { unique: true })
export class InboundAttachment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  inboundEmailId!: string;

  @ManyToOne(() => InboundEmail, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inbound_email_id', foreignKeyConstraintName: 'FK_inbound_attachment_email' })
  inboundEmail?: Relation<InboundEmail>;

  // Order within the message, from 0.
  @Column({ type: 'int' })
  position!: number;

  // Decoded (RFC 2231 / RFC 2047); a name is made up when the message gives none.
  @Column({ type: 'text' })
  filename!: string;

  // As the message declares it, and as the bytes show it (null when unrecognised).
  @Column({ type: 'text' })
  declaredType!: string;

  @Column({ type: 'text', nullable: true })
  sniffedType!: string | null;

  @Column({ type: 'int' })
  sizeBytes!: number;

  @Column({ type: 'text' })
  sha256!: string;

  // Within the limits, so offered for download. The bytes are not copied out of the message:
  // a download decodes them from the stored raw message again and checks them against sha256.
  // One over a limit is listed but not offered (it is still inside the raw message).
  @Column({ type: 'boolean' })
  stored!: boolean;

  @Column({ type: 'boolean', default: false })
  blocked!: boolean;

  // Why it is not kept, or why it is blocked.
  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
