import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// Where reading one IMAP folder got to, and which replica reads it. last_uid only means
// something under its uid_validity: when the server changes that, the folder is read from the
// start again (what was stored already is recognised by its bytes and not taken twice).
@Entity()
export class ImapMailbox {
  // "<user>@<host>/<folder>": the same folder name on another account is another mailbox.
  @PrimaryColumn({ type: 'text' })
  mailbox!: string;

  @Column({ type: 'bigint', nullable: true })
  uidValidity!: string | null;

  @Column({ type: 'bigint', default: 0 })
  lastUid!: string;

  // The replica holding the lease (hostname:pid:random), until lease_until unless renewed.
  @Column({ type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
