import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { runCli } from './support/cli.js';
import { createTestDatabase, withClient, type TestDatabase } from './support/test-database.js';

describe('command-line tools', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url,
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    };
  });

  afterAll(async () => {
    await database.drop();
  });

  it('migration:show and migration:check report an up-to-date schema', async () => {
    const show = await runCli('migrations', ['show'], env);
    const check = await runCli('migrations', ['check'], env);

    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/\[x\] StaffAccounts\d+/);
    expect(show.stdout).toContain('0 pending');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('entities and migrations agree');
  });

  it('migration:revert undoes the last migration and migration:run applies it again', async () => {
    const reverted = await runCli('migrations', ['revert'], env);
    const pending = await runCli('migrations', ['check'], env);
    const run = await runCli('migrations', ['run'], env);

    expect(reverted.code).toBe(0);
    expect(reverted.stdout).toMatch(/^reverted \w+\d+/);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain('pending migrations');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^applied \w+\d+/);
  });

  it('audit:verify says intact, and after tampering names the event and exits 1', async () => {
    const clean = await runCli('audit', ['verify'], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^intact, 0 events in 0 streams/);

    const eventId = randomUUID();
    await withClient(database.url, async (db) => {
      await db.query('BEGIN');
      await db.query(
        `WITH head AS (INSERT INTO audit_stream (stream, last_seq, last_hash, prev_hash, updated_at)
           VALUES ('actor:cli-test', 1, repeat('a', 64), repeat('0', 64), now()) RETURNING *)
         INSERT INTO audit_event (id, stream, seq, occurred_at, actor, action, diff, prev_hash, hash)
         SELECT $1, 'actor:cli-test', 1, date_trunc('milliseconds', now()), 'cli-test', 'test.forged', '{}', repeat('0', 64), repeat('a', 64) FROM head`,
        [eventId],
      );
      await db.query('COMMIT');
    });
    const checkpoint = await runCli('audit', ['checkpoint'], env);
    const verify = await runCli('audit', ['verify'], env);

    expect(checkpoint.code).toBe(0);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('BROKEN: hash does not match its contents');
    expect(verify.stdout).toContain(eventId);
  });
});
