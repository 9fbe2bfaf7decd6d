import { randomBytes } from 'node:crypto';
import pg from 'pg';

// Set by test/support/global-setup.mjs.
const ADMIN_URL_VAR = 'HOMECOMING_TEST_ADMIN_URL';
const TEMPLATE_DB_VAR = 'HOMECOMING_TEST_TEMPLATE_DB';

export interface TestDatabase {
  name: string;
  url: string;
  adminUrl: string;
  drop(): Promise<void>;
}

export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

// A fresh database for one test file, cloned from the migrated template.
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env[ADMIN_URL_VAR];
  const template = process.env[TEMPLATE_DB_VAR];
  if (!adminUrl || !template) throw new Error('the Jest global setup did not run');
  const name = `homecoming_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: withDatabase(adminUrl, name),
    adminUrl,
    drop: async () => {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
