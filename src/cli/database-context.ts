import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { DataSource } from 'typeorm';
import { ConfigValidationError, loadConfig, type AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from '../database/data-source-options.js';
import { EmbeddedPostgres } from '../database/embedded-postgres.js';
import { EMBEDDED_DATABASE_NAME } from '../server.js';

export interface DatabaseContext {
  config: AppConfig;
  dataSource: DataSource;
  // The database's URL (secret: it may hold a password).
  url: string;
  // The server's URL with another database name, for scratch databases.
  urlFor(database: string): string;
}

// Runs `fn` against the database the app would use — DATABASE_URL, or the embedded server,
// started for the duration and stopped afterwards — with the same configuration rules.
export async function withDatabase<T>(fn: (context: DatabaseContext) => Promise<T>): Promise<T> {
  if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
  const config = loadConfig(process.env);
  const embedded = config.database.url
    ? undefined
    : await EmbeddedPostgres.start(config.database.embedded);
  try {
    const url = config.database.url ?? (await embedded!.ensureDatabase(EMBEDDED_DATABASE_NAME));
    const dataSource = new DataSource(buildDataSourceOptions(config.database, url));
    await dataSource.initialize();
    try {
      return await fn({
        config,
        dataSource,
        url,
        urlFor: (database) => {
          const parsed = new URL(url);
          parsed.pathname = `/${database}`;
          return parsed.toString();
        },
      });
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await embedded?.stop();
  }
}

// Runs a command's main with the process arguments and exits with its code; a configuration
// problem is printed as the list it is, anything else with its stack.
export function runCommand(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message =
        error instanceof ConfigValidationError
          ? error.message
          : String((error as Error).stack ?? error);
      process.stderr.write(`${message}\n`);
      process.exit(1);
    },
  );
}
