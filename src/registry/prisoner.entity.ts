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

// Where a prisoner is held, as a category: the exact place never leaves the registry.
export const LOCATION_CATEGORIES = [
  'internment_camp',
  'hospital',
  'pretrial_detention',
  'transit',
  'unknown',
] as const;
export type LocationCategory = (typeof LOCATION_CATEGORIES)[number];

// The authority's registry record of a prisoner of war: the data set of GC III Art. 122 (names,
// rank, personal number, date and place of birth, father's first name, mother's maiden name),
// with unit, capture and the category of where he is held. Imported, never typed by families.
// `*_key` columns are hc_name_key of the names (set by a trigger): what matching compares.
@Entity()
// Matching's indexes, written by the PrisonerNameKeys migration (a trigram index and indexes
// that include the id): TypeORM cannot express them, so it leaves them alone.
@Index('prisoner_surname_key_trgm', { synchronize: false })
@Index('prisoner_surname_given_key', { synchronize: false })
@Index('prisoner_given_surname_key', { synchronize: false })
@Check(
  'prisoner_location_category_known',
  `"location_category" IN ('internment_camp', 'hospital', 'pretrial_detention', 'transit', 'unknown')`,
)
export class Prisoner {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  // The import's key: a row with a known personal number updates that prisoner.
  @Index('prisoner_personal_number_key', { unique: true })
  @Column({ type: 'text' })
  personalNumber!: string;

  @Column({ type: 'text' })
  surname!: string;

  @Column({ type: 'text' })
  givenNames!: string;

  @Column({ type: 'text', nullable: true })
  patronymic!: string | null;

  @Column({ type: 'text', nullable: true })
  rank!: string | null;

  @Column({ type: 'date', nullable: true })
  birthDate!: string | null;

  @Column({ type: 'text', nullable: true })
  placeOfBirth!: string | null;

  @Column({ type: 'text', nullable: true })
  fathersFirstName!: string | null;

  @Column({ type: 'text', nullable: true })
  mothersMaidenName!: string | null;

  @Column({ type: 'text', nullable: true })
  militaryUnit!: string | null;

  @Column({ type: 'date', nullable: true })
  capturedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  placeOfCapture!: string | null;

  @Column({ type: 'text', default: 'unknown' })
  locationCategory!: LocationCategory;

  // Restricted: shown to supervisors only.
  @Column({ type: 'text', nullable: true, select: false })
  healthNotes?: string | null;

  @Column({ type: 'text', select: false, default: '' })
  surnameKey?: string;

  @Column({ type: 'text', select: false, default: '' })
  givenKey?: string;

  @Column({ type: 'text', select: false, nullable: true })
  patronymicKey?: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
