import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { ConfigValidationError, loadConfig, type AppConfig } from './config/app-config.js';
import { createRootLogger } from './common/logging/logger.js';
import { startServer } from './server.js';

const startedAt = performance.now();

function readConfig(): AppConfig {
  if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createRootLogger(config);
  const server = await startServer(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, 'homecoming failed to start');
    logger.flush();
    process.exit(1);
  });
  logger.info(
    { startupMs: Math.round(performance.now() - startedAt) },
    `homecoming listening on ${server.url}`,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    server.close().then(
      () => {
        logger.info('shutdown complete');
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

void main();
