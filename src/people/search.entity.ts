import { CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

// One search per sought man: the inquiries of every relative asking about him hang on it (each
// keeps its own relationship, verification, consent and letters). A new inquiry starts its own
// search; a caseworker links it to another's when both are about the same man, never a machine.
@Entity()
export class Search {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
