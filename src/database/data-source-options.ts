import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import type { AppConfig } from '../config/app-config.js';
import { AfterCommitSubscriber } from '../metrics/after-commit.js';
import { entities } from './entities.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export const MIGRATIONS_TABLE = 'migrations';

export function buildDataSourceOptions(
  database: AppConfig['database'],
  url: string,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    subscribers: [AfterCommitSubscriber],
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // gen_random_uuid() is built in; never try to install extensions on connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    applicationName: 'homecoming',
    ssl: database.ssl === 'disable' ? false : { rejectUnauthorized: database.ssl === 'require' },
    extra: {
      max: database.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // The app's named prepared statements (src/database/prepared-statement.ts) are planned
      // once per connection and written so that one plan fits every value; without this
      // PostgreSQL may keep re-planning one whose custom plans look cheaper. It applies to
      // unnamed statements with parameters too (they are planned without their values): a
      // statement whose best plan depends on its values sets plan_cache_mode for its own
      // transaction, as the reports do.
      options: '-c plan_cache_mode=force_generic_plan',
    },
    logging: false,
  };
}
