import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const CONTACT_KINDS = ['email', 'phone'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

// An address or number the family had when their identity was verified, or that a supervisor
// approved since: once a family is verified, letters go only to these addresses, and staff see
// which numbers are not. Stored as the inquirer's record stores them (emails lower-cased, phones
// E.164).
@Entity()
@Check('trusted_contact_kind_known', `"kind" IN ('email', 'phone')`)
@Check('trusted_contact_source_known', `"source" IN ('verification', 'approval')`)
export class TrustedContact {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'trusted_contact_pkey' })
  inquiryId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'trusted_contact_pkey' })
  kind!: ContactKind;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'trusted_contact_pkey' })
  value!: string;

  @Column({ type: 'text' })
  source!: 'verification' | 'approval';

  // The staff member who countersigned the verification, or approved the change.
  @Column({ type: 'text' })
  trustedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  trustedAt!: Date;
}
