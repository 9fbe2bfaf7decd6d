import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { TravelPlan } from './travel-plan.entity.js';

// Someone on the journey: the inquirer or a companion (with how they are related). The travel
// document's number is sealed (AES-256-GCM); only its last four characters are shown.
@Entity()
export class Traveller {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  travelPlanId!: string;

  @ManyToOne(() => TravelPlan, (p) => p.travellers, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'travel_plan_id' })
  travelPlan?: Relation<TravelPlan>;

  @Column({ type: 'smallint' })
  position!: number;

  @Column({ type: 'boolean', default: false })
  isInquirer!: boolean;

  @Column({ type: 'text' })
  fullName!: string;

  // For companions: to the prisoner (e.g. father, sister); null for the inquirer.
  @Column({ type: 'text', nullable: true })
  relationship!: string | null;

  @Column({ type: 'text' })
  documentKind!: string;

  @Column({ type: 'text' })
  documentNumberSealed!: string;

  @Column({ type: 'text' })
  documentLast4!: string;
}
