import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { systemActor } from '../common/request-context.js';
import { buildDataSourceOptions } from '../database/data-source-options.js';
import { runCommand, withDatabase, type DatabaseContext } from './database-context.js';

// npm run backup [-- <file>]            pg_dump (custom format) of the app's database
// npm run restore -- <file> <database>  into a new database on the same server, then the audit
//                                       chain is verified there
// See README.md, "Backups".
const USAGE = 'usage: backup create [file] | restore <file> <new database name>';
const run = promisify(execFile);
const out = (line: string) => process.stdout.write(`${line}\n`);

// pg_dump must be of the server's major version or newer: PG_BIN if set, else Debian's
// /usr/lib/postgresql/<major>/bin, else the newest there, else the PATH.
async function program(name: 'pg_dump' | 'pg_restore', serverMajor: number): Promise<string> {
  const candidates = [
    process.env.PG_BIN && path.join(process.env.PG_BIN, name),
    `/usr/lib/postgresql/${serverMajor}/bin/${name}`,
    ...[20, 19, 18, 17, 16]
      .filter((m) => m > serverMajor)
      .map((m) => `/usr/lib/postgresql/${m}/bin/${name}`),
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  const onPath = await run(name, ['--version']).then(
    ({ stdout }) => Number(/(\d+)(\.\d+)?/.exec(stdout)?.[1] ?? 0),
    () => 0,
  );
  if (onPath >= serverMajor) return name;
  throw new Error(
    `${name} for PostgreSQL ${serverMajor} or newer not found` +
      (onPath ? ` (${name} on the PATH is ${onPath})` : '') +
      `: apt-get install -y postgresql-client-${serverMajor}, or set PG_BIN to its folder`,
  );
}

async function serverMajor(dataSource: DataSource): Promise<number> {
  const [row] = (await dataSource.query(`SHOW server_version_num`)) as {
    server_version_num: string;
  }[];
  return Math.floor(Number(row.server_version_num) / 10_000);
}

// The URL split for libpq tools: the password goes in PGPASSWORD, never on the command line.
function libpq(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return {
    args: [
      '--host',
      u.hostname,
      '--port',
      u.port || '5432',
      '--username',
      decodeURIComponent(u.username) || 'postgres',
      '--dbname',
      decodeURIComponent(u.pathname.slice(1)),
    ],
    env,
  };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function create(context: DatabaseContext, target: string | undefined): Promise<number> {
  const url = context.url;
  const file = path.resolve(
    target ??
      path.join('backups', `homecoming-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`),
  );
  await mkdir(path.dirname(file), { recursive: true });
  const pgDump = await program('pg_dump', await serverMajor(context.dataSource));
  const { args, env } = libpq(url);
  // Custom format: compressed, restorable table by table; no owners or grants, so that it
  // restores under another role too. Written 0600 from its first byte (umask), and removed if
  // the dump fails half-way.
  const umask = process.umask(0o077);
  try {
    await run(
      pgDump,
      [...args, '--format=custom', '--no-owner', '--no-privileges', '--file', file],
      { env, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  } finally {
    process.umask(umask);
  }
  await chmod(file, 0o600);
  const [{ events }] = (await context.dataSource.query(
    `SELECT count(*)::int AS events FROM audit_event`,
  )) as { events: number }[];
  out(`backup written: ${file}`);
  out(`  ${(await stat(file)).size} bytes, sha256 ${await sha256Of(file)}`);
  out(
    `  ${events} audit events; it holds personal data and secrets' ciphertext: keep it like the database`,
  );
  return 0;
}

async function restore(context: DatabaseContext, file: string, database: string): Promise<number> {
  if (!existsSync(file)) throw new Error(`no such backup: ${file}`);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
    throw new Error('the new database name must be lower-case letters, digits and _');
  }
  const admin = new pg.Client({ connectionString: context.urlFor('postgres') });
  await admin.connect();
  try {
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [database]);
    if (exists.rowCount) throw new Error(`database ${database} exists: restore into a new one`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = context.urlFor(database);
  const pgRestore = await program('pg_restore', await serverMajor(context.dataSource));
  const { args, env } = libpq(url);
  await run(pgRestore, [...args, '--no-owner', '--no-privileges', '--exit-on-error', file], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  out(`restored ${file} into ${database}`);

  const restored = new DataSource(buildDataSourceOptions(context.config.database, url));
  await restored.initialize();
  try {
    const result = await new AuditService(restored).verifyAs(systemActor('cli'));
    if (result.intact) {
      out(`audit chain intact there: ${result.events} events in ${result.streams} streams`);
      out(`${result.checkpoints} checkpoints`);
      return 0;
    }
    out(`audit chain BROKEN there: ${result.firstBroken.reason}`);
    out(`${result.problems} problem(s) found`);
    return 1;
  } finally {
    await restored.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'create':
      return withDatabase((context) => create(context, argv[1]));
    case 'restore':
      if (!argv[1] || !argv[2]) break;
      return withDatabase((context) => restore(context, argv[1], argv[2]));
  }
  out(USAGE);
  return 2;
}

runCommand(main);
