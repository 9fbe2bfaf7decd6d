import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { ConfigValidationError, loadConfig, type AppConfig } from './config/app-config.js';
import { PROCESS_ROLES } from './config/environment.js';
import { createRootLogger } from './common/logging/logger.js';
import { startServer } from './server.js';

const startedAt = performance.now();

// `--role=api|worker|all` (or `--role api`) overrides ROLE: one image, one command per job.
function roleArgument(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (at < 0) return undefined;
  return argv[at].startsWith('--role=') ? argv[at].slice('--role='.length) : (argv[at + 1] ?? '');
}

function readConfig(): AppConfig {
  if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
  const role = roleArgument(process.argv.slice(2));
  if (role !== undefined && !(PROCESS_ROLES as readonly string[]).includes(role)) {
    process.stderr.write(`--role: must be one of ${PROCESS_ROLES.join(', ')} (got "${role}")\n`);
    process.exit(1);
  }
  try {
    return loadConfig(role === undefined ? process.env : { ...process.env, ROLE: role });
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
    { startupMs: Math.round(performance.now() - startedAt), role: config.role.name },
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
