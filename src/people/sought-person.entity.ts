import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

// What the family says about the soldier they look for. Names as written, any script. The date
// of birth may be partial: a year, a year and month, or a full date.
@Entity()
@Check('sought_person_birth_month_range', `"birth_month" IS NULL OR "birth_month" BETWEEN 1 AND 12`)
@Check('sought_person_birth_day_range', `"birth_day" IS NULL OR "birth_day" BETWEEN 1 AND 31`)
@Check(
  'sought_person_birth_date_partial',
  `("birth_day" IS NULL OR "birth_month" IS NOT NULL) AND ("birth_month" IS NULL OR "birth_year" IS NOT NULL)`,
)
export class SoughtPerson {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('sought_person_inquiry_id_key', { unique: true })
  @Column({ type: 'uuid' })
  inquiryId!: string;

  // By the entity's name: people depends on no feature module (the inquiries hang on people).
  @ManyToOne('Inquiry', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: unknown;

  // hc_name_key(surname), hc_name_key(given_name) are indexed together (created in the
  // migration) for possible duplicates by the man sought, whoever asks.
  @Index('sought_person_name_key_idx', { synchronize: false })
  @Column({ type: 'text' })
  surname!: string;

  @Column({ type: 'text', nullable: true })
  givenName!: string | null;

  @Column({ type: 'text', nullable: true })
  patronymic!: string | null;

  @Column({ type: 'smallint', nullable: true })
  birthYear!: number | null;

  @Column({ type: 'smallint', nullable: true })
  birthMonth!: number | null;

  @Column({ type: 'smallint', nullable: true })
  birthDay!: number | null;

  @Column({ type: 'text', nullable: true })
  placeOfBirth!: string | null;

  @Column({ type: 'text', nullable: true })
  militaryUnit!: string | null;

  @Column({ type: 'text', nullable: true })
  rank!: string | null;

  @Column({ type: 'text', nullable: true })
  personalNumber!: string | null;

  @Column({ type: 'text', nullable: true })
  mothersMaidenName!: string | null;

  @Column({ type: 'text', nullable: true })
  fathersFirstName!: string | null;

  @Column({ type: 'text', nullable: true })
  distinguishingMarks!: string | null;
}
