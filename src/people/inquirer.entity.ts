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
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import {
  RELATIONSHIPS,
  LANGUAGES,
  type FamilyChannel,
  type Relationship,
  type Language,
} from './people.vocabulary.js';
export { RELATIONSHIPS, LANGUAGES, type Relationship, type Language };

// A person: one real relative (mother, father, wife, …), one record however many times and by
// whatever channel they write; each of their inquiries is about one sought man and carries their
// relationship to him. The table keeps its first name, `inquirer` (the person who asks).
// A person merged into another (PersonMergeService) keeps its row, pointing at the survivor, so
// that the merge can be undone until confirmed, and its names stay known.
@Entity()
@Check('inquirer_language_known', `"preferred_language" IN ('ru', 'uk', 'en')`)
@Check('inquirer_channel_known', `"preferred_channel" IN ('email', 'phone')`)
@Check('inquirer_not_merged_into_itself', `"merged_into" IS NULL OR "merged_into" <> "id"`)
export class Inquirer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  // As written, in any script.
  @Column({ type: 'text' })
  fullName!: string;

  // Other names the person is known by (other scripts, spellings, a name a merged record had).
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  otherNames!: string[];

  // Set while this record is merged into another person (the survivor).
  @Index('inquirer_merged_into_idx')
  @Column({ type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @ManyToOne(() => Inquirer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'merged_into', foreignKeyConstraintName: 'FK_inquirer_merged_into' })
  survivor?: Relation<Inquirer>;

  // E.164. GIN-indexed (created in the migration) for the duplicate check's overlap test.
  @Index('inquirer_phones_gin', { synchronize: false })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  phones!: string[];

  // Lower-cased. GIN-indexed like phones.
  @Index('inquirer_emails_gin', { synchronize: false })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  emails!: string[];

  // Addresses our mail bounced from (a delivery report said so): not written to again.
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  undeliverableEmails!: string[];

  @Column({ type: 'text', default: 'ru' })
  preferredLanguage!: Language;

  // Where notices go (the disclosure gate decides what, and whether to this channel's address).
  @Column({ type: 'text', default: 'email' })
  preferredChannel!: FamilyChannel;

  // ISO 3166-1 alpha-2.
  @Column({ type: 'text', nullable: true })
  country!: string | null;

  @Column({ type: 'text', nullable: true })
  city!: string | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
