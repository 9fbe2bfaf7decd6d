import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

// The key a case's audit events seal their personal values under (audit-case-keys.ts). Deleting
// the row erases those values for good; the events and their hashes stay.
@Entity('audit_case_key')
export class AuditCaseKey {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'audit_case_key_pkey' })
  inquiryId!: string;

  @Column({ type: 'bytea' })
  key!: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
