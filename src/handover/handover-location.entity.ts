import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

// Where in Kyiv prisoners are handed over: reference data admins keep, with what a family needs
// to find it, in the three languages of the letters.
@Entity()
export class HandoverLocation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  nameUk!: string;

  @Column({ type: 'text' })
  nameRu!: string;

  @Column({ type: 'text' })
  nameEn!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text' })
  instructionsUk!: string;

  @Column({ type: 'text' })
  instructionsRu!: string;

  @Column({ type: 'text' })
  instructionsEn!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
