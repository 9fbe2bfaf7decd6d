import type { DynamicModule, Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/common/http/configure-app.js';
import { createNestLogger, createRootLogger } from '../../src/common/logging/logger.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  // Created at start-up from ADMIN_EMAIL / ADMIN_PASSWORD.
  firstAdmin: { email: string; password: string };
  config: AppConfig;
  logger: Logger;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  // Environment variables on top of the test defaults, as the process would receive them.
  env?: Record<string, string>;
  // Where log lines go; by default they are dropped.
  logDestination?: DestinationStream;
  // Extra controllers mounted only in the test (e.g. routes that fail on purpose).
  controllers?: Type[];
  // Another app's database, for two apps on one database (a replica with other settings); it is
  // left for its owner to drop.
  database?: TestDatabase;
  // Providers replaced in the test (e.g. a MIME parser that fails on the messages it is told).
  overrides?: { provide: Type; useValue: object }[];
}

// Boots the real application — the same module and HTTP pipeline as `npm start` — on a fresh
// database of its own.
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const dropDatabase = () => (options.database ? Promise.resolve() : database.drop());
  const firstAdmin = {
    email: 'first-admin@staff.test',
    password: `first-${randomBytes(12).toString('base64url')}`,
  };
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: firstAdmin.email,
    ADMIN_PASSWORD: firstAdmin.password,
    // Tests that send mail turn the sender on or drive it (MailSender.drainOnce) themselves.
    ROLE: 'api',
    ...options.env,
    DATABASE_URL: database.url,
  });
  const logger = createRootLogger(config, options.logDestination ?? { write: () => undefined });
  const root: DynamicModule = AppModule.forRoot({ config, databaseUrl: database.url, logger });
  const builder = Test.createTestingModule({
    imports: [root],
    controllers: options.controllers ?? [],
  }).setLogger(createNestLogger(logger));
  for (const { provide, useValue } of options.overrides ?? []) {
    builder.overrideProvider(provide).useValue(useValue);
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: createNestLogger(logger),
  });
  configureApp(app, config, logger);
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    await dropDatabase();
    throw error;
  }
  return {
    app,
    firstAdmin,
    config,
    logger,
    database,
    async close() {
      await app.close();
      await dropDatabase();
    },
  };
}

// Collects log lines written by pino, parsed.
export class LogCapture implements DestinationStream {
  readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  get lines(): Record<string, unknown>[] {
    return this.raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  text(): string {
    return this.raw.join('');
  }
}
