import { rm } from 'node:fs/promises';
import pg from 'pg';
import { ADMIN_URL_VAR, EMBEDDED_DIR_VAR, TEMPLATE_DB_VAR } from './test-database.constants.mjs';

export default async function globalTeardown() {
  const adminUrl = process.env[ADMIN_URL_VAR];
  const template = process.env[TEMPLATE_DB_VAR];
  if (adminUrl && template) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.end();
  }
  await globalThis.embeddedPostgresForTests?.stop();
  const folder = process.env[EMBEDDED_DIR_VAR];
  if (folder) await rm(folder, { recursive: true, force: true });
}
