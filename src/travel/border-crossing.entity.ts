import { Column, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const TRAFFIC_KINDS = ['pedestrian', 'car', 'bus', 'truck', 'rail'] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

// A Poland–Ukraine border crossing point: reference data that admins keep current (names in the
// four languages families and staff use, what traffic it takes, whether it is open). Seeded by
// the Travel migration with the road crossings.
@Entity()
export class BorderCrossing {
  // A stable slug, e.g. `medyka-shehyni`.
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  namePl!: string;

  @Column({ type: 'text' })
  nameUk!: string;

  @Column({ type: 'text' })
  nameRu!: string;

  @Column({ type: 'text' })
  nameEn!: string;

  // Where families go, as they would type it into a map: the Polish side's locality.
  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text', array: true })
  traffic!: TrafficKind[];

  @Column({ type: 'boolean', default: true })
  open!: boolean;

  @VersionColumn({ default: 1 })
  version!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
