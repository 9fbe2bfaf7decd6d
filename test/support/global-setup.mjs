// Once per `jest` run: find PostgreSQL (DATABASE_URL, else an embedded server in a temporary
// folder) and build a template database with every migration applied; each test file then
// clones the template, which takes milliseconds. Jest loads this file without transforming it,
// so it uses the compiled application in dist/ (`npm test` builds first).
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../dist/src/config/app-config.js';
import { buildDataSourceOptions } from '../../dist/src/database/data-source-options.js';
import { EmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';
import { runPendingMigrations } from '../../dist/src/database/migrations.util.js';
import { ADMIN_URL_VAR, EMBEDDED_DIR_VAR, TEMPLATE_DB_VAR } from './test-database.constants.mjs';

export default async function globalSetup() {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-test-'));
    await chmod(folder, 0o755); // the server runs as `postgres` when we are root
    const server = await EmbeddedPostgres.start({
      dir: path.join(folder, 'pg'),
      port: await freePort(),
    });
    globalThis.embeddedPostgresForTests = server;
    process.env[EMBEDDED_DIR_VAR] = folder;
    adminUrl = server.url;
  }
  const template = `homecoming_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const dataSource = new DataSource(
    buildDataSourceOptions(loadConfig({}).database, templateUrl.toString()),
  );
  await dataSource.initialize();
  try {
    await runPendingMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  process.env[ADMIN_URL_VAR] = adminUrl;
  process.env[TEMPLATE_DB_VAR] = template;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
