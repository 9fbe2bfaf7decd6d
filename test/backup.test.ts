import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { systemActor } from '../src/common/request-context.js';
import { loadConfig } from '../src/config/app-config.js';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { runPendingMigrations } from '../src/database/migrations.util.js';
import { runCli } from './support/cli.js';
import { findProgram } from './support/system-programs.js';
import { withClient, withDatabase } from './support/test-database.js';

// `npm run backup` and `npm run restore`, compiled: a backup restored into a new database holds
// the same rows, and its audit chain is verified there. pg_dump must be of the server's major
// version or newer, so this suite runs against a Debian PostgreSQL server on 127.0.0.1:5432
// (trust auth) with its own client tools — not the embedded server the other suites use (18,
// newer than Debian 12's clients).
const LOCAL =
  process.env.HOMECOMING_BACKUP_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const debianMajors = (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
  .filter(
    (v) =>
      existsSync(`/usr/lib/postgresql/${v}/bin/pg_dump`) &&
      existsSync(`/usr/lib/postgresql/${v}/bin/postgres`),
  )
  .map(Number);
const pgDump = findProgram(
  'pg_dump',
  debianMajors.map((v) => `/usr/lib/postgresql/${v}/bin/pg_dump`),
);

const suite = 'backup and restore';
if (!pgDump.path) {
  pgDump.reportMissing(suite, 'apt-get install -y postgresql-15 (server and client tools)');
} else {
  describe(suite, () => {
    const suffix = randomBytes(4).toString('hex');
    const sourceName = `hc_backup_${suffix}`;
    const restoredName = `hc_restored_${suffix}`;
    const sourceUrl = withDatabase(LOCAL, sourceName);
    const restoredUrl = withDatabase(LOCAL, restoredName);
    const env = {
      DATABASE_URL: sourceUrl,
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    let folder: string;
    let source: DataSource;

    beforeAll(async () => {
      await withClient(LOCAL, (c) => c.query(`CREATE DATABASE ${sourceName}`));
      source = new DataSource(buildDataSourceOptions(loadConfig({}).database, sourceUrl));
      await source.initialize();
      await runPendingMigrations(source);
      folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-backup-'));
    });

    afterAll(async () => {
      await source?.destroy();
      await withClient(LOCAL, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${sourceName} WITH (FORCE)`);
        await c.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
      });
      await rm(folder, { recursive: true, force: true });
    });

    it('restores a backup into a new database and verifies the audit chain there; a tampered copy fails', async () => {
      // An audit trail in several streams, with a checkpoint over it.
      const audit = new AuditService(source);
      for (let i = 0; i < 5; i += 1) {
        await audit.append({
          action: 'inquiry.update',
          actor: systemActor('test'),
          entityType: 'inquiry',
          entityId: randomUUID(),
          after: { step: i, name: 'Петрова Ольга' },
        });
      }
      await audit.writeCheckpoint();
      const [{ events }] = (await source.query(
        `SELECT count(*)::int AS events FROM audit_event`,
      )) as { events: number }[];
      expect(events).toBeGreaterThanOrEqual(5);

      const file = path.join(folder, 'homecoming.dump');
      const backup = await runCli('backup', ['create', file], env);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain(`backup written: ${file}`);
      expect(backup.stdout).toMatch(/sha256 [0-9a-f]{64}/);
      expect((await stat(file)).mode & 0o777).toBe(0o600);

      const restore = await runCli('backup', ['restore', file, restoredName], env);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.stdout).toContain(`audit chain intact there: ${events} events`);
      const rows = (url: string) =>
        withClient(url, async (c) => {
          const events = await c.query(`SELECT id, hash FROM audit_event ORDER BY stream, seq`);
          const checkpoints = await c.query(`SELECT id, hash FROM audit_checkpoint ORDER BY id`);
          const migrations = await c.query(`SELECT name FROM migrations ORDER BY id`);
          return [events.rows, checkpoints.rows, migrations.rows];
        });
      // The restored copy, less the verification the restore itself recorded there.
      const [restoredEvents, ...restoredRest] = await rows(restoredUrl);
      const [sourceEvents, ...sourceRest] = await rows(sourceUrl);
      expect(restoredEvents.length).toBe(sourceEvents.length + 1);
      expect(restoredEvents).toEqual(expect.arrayContaining(sourceEvents));
      expect(restoredRest).toEqual(sourceRest);

      // Into a database that exists: refused.
      const again = await runCli('backup', ['restore', file, restoredName], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`database ${restoredName} exists`);

      // The verification can fail: one event changed in the restored copy is found.
      await withClient(restoredUrl, async (c) => {
        await c.query(`ALTER TABLE audit_event DISABLE TRIGGER USER`);
        await c.query(
          `UPDATE audit_event SET actor = 'system:someone-else'
           WHERE id = (SELECT id FROM audit_event WHERE action = 'inquiry.update' LIMIT 1)`,
        );
      });
      const verify = await runCli('audit', ['verify'], {
        ...env,
        DATABASE_URL: restoredUrl,
      });
      expect(verify.stdout).toContain('BROKEN');
      expect(verify.code).toBe(1);
    });
  });
}
