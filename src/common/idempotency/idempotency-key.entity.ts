import { Column, Entity, PrimaryColumn } from 'typeorm';

// A write that may be retried: the first answer is kept and replayed for the same key and body.
@Entity()
export class IdempotencyKey {
  // Who sent it (a staff user id): keys of different users never collide.
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  // SHA-256 of the request (method, path, canonical body).
  @Column({ type: 'text' })
  requestHash!: string;

  @Column({ type: 'int', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
