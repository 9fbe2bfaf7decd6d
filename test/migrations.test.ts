import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Column,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { entities } from '../src/database/entities.js';
import {
  findSchemaDrift,
  listPendingMigrations,
  runPendingMigrations,
} from '../src/database/migrations.util.js';
import { migrations } from '../migrations/index.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

@Entity()
class DriftProbe {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  surname!: string;
}

class CountingProbe1700000000000 implements MigrationInterface {
  name = 'CountingProbe1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE counting_probe (ran_at timestamptz DEFAULT now())');
    await queryRunner.query('SELECT pg_sleep(0.2)');
    await queryRunner.query('INSERT INTO counting_probe DEFAULT VALUES');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE counting_probe');
  }
}

function dataSourceFor(
  url: string,
  extra: { entities?: (new () => object)[]; migrations?: (new () => MigrationInterface)[] } = {},
) {
  const options = buildDataSourceOptions(loadConfig({}).database, url);
  return new DataSource({
    ...options,
    entities: [...entities, ...(extra.entities ?? [])],
    migrations: [...migrations, ...(extra.migrations ?? [])],
  });
}

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('agree with the entities: the schema needs no change after they ran', async () => {
    const sut = await dataSourceFor(database.url).initialize();
    try {
      expect(await listPendingMigrations(sut)).toEqual([]);
      expect(await findSchemaDrift(sut)).toEqual([]);
    } finally {
      await sut.destroy();
    }
  });

  it('are reported as drift when an entity has no migration', async () => {
    const sut = await dataSourceFor(database.url, { entities: [DriftProbe] }).initialize();
    try {
      const drift = await findSchemaDrift(sut);
      expect(drift).toHaveLength(1);
      expect(drift[0]).toMatch(
        /^CREATE TABLE "drift_probe" \("id" uuid NOT NULL DEFAULT gen_random_uuid\(\), "surname" text NOT NULL/,
      );
    } finally {
      await sut.destroy();
    }
  });

  it('can each be reverted and applied again', async () => {
    const scratch = await createTestDatabase();
    const sut = await dataSourceFor(scratch.url).initialize();
    try {
      for (let i = 0; i < migrations.length; i++)
        await sut.undoLastMigration({ transaction: 'each' });
      const left = (await sut.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      )) as { table_name: string }[];
      expect(left).toEqual([]);

      await runPendingMigrations(sut);
      expect(await findSchemaDrift(sut)).toEqual([]);
    } finally {
      await sut.destroy();
      await scratch.drop();
    }
  });

  it('run once when several replicas start together', async () => {
    const replicas = await Promise.all(
      [1, 2, 3].map(() =>
        dataSourceFor(database.url, { migrations: [CountingProbe1700000000000] }).initialize(),
      ),
    );
    try {
      expect(await listPendingMigrations(replicas[0])).toEqual(['CountingProbe1700000000000']);

      const applied = await Promise.all(replicas.map((r) => runPendingMigrations(r)));

      expect(applied.map((a) => a.length).sort()).toEqual([0, 0, 1]);
      const [{ count }] = await replicas[0].query(
        'SELECT count(*)::int AS count FROM counting_probe',
      );
      expect(count).toBe(1);
      expect(await listPendingMigrations(replicas[1])).toEqual([]);
    } finally {
      await Promise.all(replicas.map((r) => r.destroy()));
    }
  });
});
