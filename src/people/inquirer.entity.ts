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
import { RELATIONSHIPS, LANGUAGES, type Relationship, type Language } from './people.vocabulary.js';
export { RELATIONSHIPS, LANGUAGES, type Relationship, type Language };

// The family member who asks. One inquirer may have several inquiries.
@Entity()
@Check('inquirer_language_known', `"preferred_language" IN ('ru', 'uk', 'en')`)
export class Inquirer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  // As written, in any script.
  @Column({ type: 'text' })
  fullName!: string;

  @Column({ type: 'text' })
  relationship!: Relationship;

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
