import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type Relation,
} from 'typeorm';
import { Inquiry } from '../inquiries/inquiry.entity.js';
import { BorderCrossing } from './border-crossing.entity.js';
import { Traveller } from './traveller.entity.js';

// How the family comes: from where, into Poland when, across which crossing point when, met by
// which escort. One per inquiry; edited with its version (a stale one is refused).
@Entity()
export class TravelPlan {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('travel_plan_inquiry_key', { unique: true })
  @Column({ type: 'uuid' })
  inquiryId!: string;

  @ManyToOne(() => Inquiry, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inquiry_id' })
  inquiry?: Relation<Inquiry>;

  @Column({ type: 'text', nullable: true })
  originCity!: string | null;

  // ISO 3166-1 alpha-2.
  @Column({ type: 'text', nullable: true })
  originCountry!: string | null;

  @Column({ type: 'date', nullable: true })
  plannedEntryIntoPoland!: string | null;

  @Index('travel_plan_crossing_idx')
  @Column({ type: 'text', nullable: true })
  crossingPointId!: string | null;

  @ManyToOne(() => BorderCrossing, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'crossing_point_id' })
  crossingPoint?: Relation<BorderCrossing>;

  @Column({ type: 'timestamptz', nullable: true })
  plannedCrossingAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  escortName!: string | null;

  @Column({ type: 'text', nullable: true })
  escortPhone!: string | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @OneToMany(() => Traveller, (t) => t.travelPlan, { cascade: true })
  travellers?: Traveller[];

  // When the caseworker was told the crossing is overdue; cleared when the time is replanned.
  @Column({ type: 'timestamptz', nullable: true, select: false })
  overdueNotifiedAt?: Date | null;

  @Column({ type: 'uuid' })
  updatedBy!: string;

  @VersionColumn({ default: 1 })
  version!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
