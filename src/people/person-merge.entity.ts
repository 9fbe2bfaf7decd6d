import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Inquirer } from './inquirer.entity.js';

// What the survivor held before a merge, to put back if it is undone.
export interface PersonBefore {
  otherNames: string[];
  phones: string[];
  emails: string[];
  undeliverableEmails: string[];
}

// Two records of one person made one: the absorbed record's inquiries moved to the survivor and
// its contacts and name added to the survivor's. Reversible (undone) until a supervisor confirms.
@Entity()
@Check('person_merge_different', `"survivor_id" <> "absorbed_id"`)
@Check('person_merge_decided_once', `"confirmed_at" IS NULL OR "undone_at" IS NULL`)
@Index('person_merge_open_key', ['absorbedId'], {
  unique: true,
  where: `"undone_at" IS NULL`,
})
export class PersonMerge {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('person_merge_survivor_idx')
  @Column({ type: 'uuid' })
  survivorId!: string;

  @ManyToOne(() => Inquirer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'survivor_id' })
  survivor?: Relation<Inquirer>;

  @Column({ type: 'uuid' })
  absorbedId!: string;

  @ManyToOne(() => Inquirer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'absorbed_id' })
  absorbed?: Relation<Inquirer>;

  // The inquiries that moved (they go back on undo).
  @Column({ type: 'uuid', array: true })
  inquiryIds!: string[];

  @Column({ type: 'jsonb' })
  survivorBefore!: PersonBefore;

  @Column({ type: 'text' })
  reason!: string;

  // A staff user id, or system:migration for the records the persons migration joined.
  @Column({ type: 'text' })
  mergedBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  mergedAt!: Date;

  @Column({ type: 'text', nullable: true })
  confirmedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  undoneBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  undoneAt!: Date | null;
}
