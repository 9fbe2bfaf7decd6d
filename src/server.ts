import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { configureApp } from './common/http/configure-app.js';
import { createNestLogger } from './common/logging/logger.js';
import type { AppConfig } from './config/app-config.js';
import { withDataKey } from './config/data-key.util.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { runPendingMigrations } from './database/migrations.util.js';

export const EMBEDDED_DATABASE_NAME = 'homecoming';

export interface RunningServer {
  readonly app: NestExpressApplication;
  readonly url: string;
  // Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes the
  // pool, then stops the embedded PostgreSQL if we started one.
  close(): Promise<void>;
}

export async function startServer(given: AppConfig, logger: Logger): Promise<RunningServer> {
  const config = given.database.url ? given : await withDataKey(given);
  const embedded = config.database.url
    ? undefined
    : await EmbeddedPostgres.start({
        dir: config.database.embedded.dir,
        port: config.database.embedded.port,
        log: (message) => logger.info(message),
      });
  try {
    const databaseUrl =
      config.database.url ?? (await embedded!.ensureDatabase(EMBEDDED_DATABASE_NAME));
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, databaseUrl, logger }),
      { bodyParser: false, logger: createNestLogger(logger), abortOnError: false },
    );
    configureApp(app, config, logger);
    if (config.database.runMigrations) {
      const applied = await runPendingMigrations(app.get(DataSource));
      logger.info(
        { migrations: applied.map((m) => m.name) },
        `${applied.length} migration(s) applied`,
      );
    }
    await app.listen(config.http.port, config.http.host);
    const url = await app.getUrl();
    return { app, url, close: () => closeServer(app, embedded, config.shutdownTimeoutMs) };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

async function closeServer(
  app: NestExpressApplication,
  embedded: EmbeddedPostgres | undefined,
  timeoutMs: number,
): Promise<void> {
  const server = app.getHttpServer() as Server;
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await drained;
  clearTimeout(timer);
  await app.close();
  await embedded?.stop();
}
