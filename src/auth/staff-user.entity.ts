import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Role } from '../common/decorators/access-policy.decorator.js';

@Entity()
@Check('staff_user_email_lowercase', `"email" = lower("email")`)
@Check(
  'staff_user_roles_known',
  `"roles" <@ ARRAY['intake', 'caseworker', 'supervisor', 'auditor', 'admin']::text[]`,
)
export class StaffUser {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  // Stored lower-cased (a CHECK makes sure), so the unique index is case-insensitive.
  @Index('staff_user_email_key', { unique: true })
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  displayName!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: Role[];

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  // argon2id, PHC string format.
  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'boolean', default: false })
  mustChangePassword!: boolean;

  // AES-256-GCM with DATA_ENCRYPTION_KEY; set at enrolment, trusted once confirmed.
  @Column({ type: 'text', nullable: true })
  totpSecretEncrypted!: string | null;

  @Column({ type: 'boolean', default: false })
  totpEnabled!: boolean;

  // The last accepted TOTP time step: a code is never accepted twice.
  @Column({ type: 'bigint', nullable: true })
  totpLastStep!: string | null;

  @Column({ type: 'int', default: 0 })
  failedLoginCount!: number;

  @Column({ type: 'timestamptz', nullable: true })
  firstFailedLoginAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
