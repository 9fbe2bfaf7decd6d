import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, MIGRATIONS_TABLE } from '../database/data-source-options.js';
import {
  findSchemaDrift,
  listPendingMigrations,
  runPendingMigrations,
} from '../database/migrations.util.js';
import { runCommand, withDatabase, type DatabaseContext } from './database-context.js';
import { registerMigration, renderMigration } from './migration-file.util.js';

// npm run migration:{run,revert,show,check,generate} — see README.md.
const USAGE = `usage: migrations run | revert | show | check | generate <Name> [--dir migrations]`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function run({ dataSource }: DatabaseContext): Promise<number> {
  const applied = await runPendingMigrations(dataSource);
  out(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'nothing to apply');
  return 0;
}

async function revert({ dataSource }: DatabaseContext): Promise<number> {
  const before = await dataSource.query(
    `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1`,
  );
  if (before.length === 0) {
    out('no migration has been applied');
    return 0;
  }
  await dataSource.undoLastMigration({ transaction: 'each' });
  out(`reverted ${before[0].name as string}`);
  return 0;
}

async function show({ dataSource }: DatabaseContext): Promise<number> {
  const pending = new Set(await listPendingMigrations(dataSource));
  for (const migration of dataSource.migrations) {
    out(`${pending.has(migration.name!) ? '[ ]' : '[x]'} ${migration.name}`);
  }
  out(`${pending.size} pending`);
  return 0;
}

async function check({ dataSource }: DatabaseContext): Promise<number> {
  const pending = await listPendingMigrations(dataSource);
  if (pending.length > 0) {
    out(`pending migrations (run them first): ${pending.join(', ')}`);
    return 1;
  }
  const drift = await findSchemaDrift(dataSource);
  if (drift.length === 0) {
    out('entities and migrations agree');
    return 0;
  }
  out('entities and migrations disagree; a migration would need:');
  drift.forEach((sql) => out(`  ${sql};`));
  return 1;
}

// Diffs the entities against a scratch database built by the existing migrations, so the result
// does not depend on the state of anybody's development database.
async function generate(context: DatabaseContext, name: string, dir: string): Promise<number> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    out(
      `the name must be PascalCase letters and digits, e.g. AddInquiries (got ${JSON.stringify(name)})`,
    );
    return 2;
  }
  const scratch = `homecoming_generate_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: context.urlFor('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
  const dataSource = new DataSource(
    buildDataSourceOptions(context.config.database, context.urlFor(scratch)),
  );
  try {
    await dataSource.initialize();
    await runPendingMigrations(dataSource);
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      out('no changes: entities and migrations already agree');
      return 0;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const fileBase = `${timestamp}-${name}`;
    await writeFile(
      path.join(dir, `${fileBase}.ts`),
      // Down undoes up, so its statements run in reverse order.
      renderMigration(className, sql.upQueries, [...sql.downQueries].reverse()),
    );
    await registerMigration(dir, fileBase, className);
    await formatIfPossible([path.join(dir, `${fileBase}.ts`), path.join(dir, 'index.ts')]);
    out(`wrote ${path.join(dir, `${fileBase}.ts`)} and listed it in ${path.join(dir, 'index.ts')}`);
    out('review it, then `npm run migration:run`');
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
  }
}

// Prettier is a development dependency: where it is installed, generated files match the style
// the linter checks.
async function formatIfPossible(files: string[]): Promise<void> {
  const prettier = await import('prettier').catch(() => undefined);
  if (!prettier) return;
  for (const file of files) {
    const options = (await prettier.resolveConfig(file)) ?? {};
    const source = await readFile(file, 'utf8');
    await writeFile(file, await prettier.format(source, { ...options, filepath: file }));
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dirFlag = rest.indexOf('--dir');
  const dir = dirFlag >= 0 ? rest[dirFlag + 1] : 'migrations';
  const name = rest.find((arg, i) => !arg.startsWith('--') && (dirFlag < 0 || i !== dirFlag + 1));
  switch (command) {
    case 'run':
      return withDatabase(run);
    case 'revert':
      return withDatabase(revert);
    case 'show':
      return withDatabase(show);
    case 'check':
      return withDatabase(check);
    case 'generate':
      if (!name || !dir) break;
      return withDatabase((context) => generate(context, name, dir));
  }
  out(USAGE);
  return 2;
}

runCommand(main);
