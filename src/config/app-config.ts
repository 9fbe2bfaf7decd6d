import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { Role } from '../common/decorators/access-policy.decorator.js';
import { Environment, SECRET_VARIABLES, type ProcessRole } from './environment.js';

export type SslMode = 'disable' | 'require' | 'no-verify';

// The typed, validated configuration. It is the DI token too: inject `AppConfig` anywhere.
export abstract class AppConfig {
  abstract readonly nodeEnv: Environment['NODE_ENV'];
  abstract readonly role: {
    readonly name: ProcessRole;
    // Serves the API, the admin UI and the status pages.
    readonly api: boolean;
    // Runs the background jobs.
    readonly jobs: boolean;
  };
  abstract readonly http: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimit: string;
    readonly corsOrigins: readonly string[];
    // Express's `trust proxy`: false, a number of hops, or the proxies' addresses.
    readonly trustProxy: false | number | readonly string[];
  };
  abstract readonly database: {
    // Absent means "start the embedded PostgreSQL".
    readonly url: string | undefined;
    readonly poolSize: number;
    readonly ssl: SslMode;
    readonly runMigrations: boolean;
    readonly embedded: { readonly dir: string; readonly port: number };
  };
  abstract readonly log: { readonly level: Environment['LOG_LEVEL']; readonly pretty: boolean };
  abstract readonly shutdownTimeoutMs: number;
  abstract readonly auth: {
    readonly firstAdmin: { readonly email?: string; readonly password?: string };
    readonly sessionIdleMs: number;
    readonly sessionMaxMs: number;
    readonly totpRequiredRoles: readonly Role[];
    readonly loginRateLimitPerMinute: number;
    readonly lockoutAttempts: number;
    readonly lockoutMs: number;
    // Secure cookies need HTTPS; only development and test run over plain HTTP.
    readonly secureCookies: boolean;
  };
  abstract readonly security: {
    // Absent only with the embedded database, until main.ts supplies the generated one.
    readonly dataEncryptionKey: Buffer | undefined;
    // Open only (a rotation in progress).
    readonly oldDataEncryptionKeys: readonly Buffer[];
  };
  abstract readonly audit: { readonly checkpointIntervalMs: number };
  // Absent: GET /metrics answers 503.
  abstract readonly metrics: { readonly token?: string };
  abstract readonly retention: {
    readonly mode: Environment['RETENTION_MODE'];
    // Days per final status; a status absent is kept.
    readonly days: ReadonlyMap<string, number>;
    readonly intervalMs: number;
  };
  abstract readonly reports: {
    // A verification waiting this long for its second signature counts against service levels.
    readonly verificationWaitDays: number;
  };
  abstract readonly status: {
    // Without a trailing slash; absent, letters carry no status link.
    readonly publicBaseUrl?: string;
    readonly linkTtlDays: number;
  };
  abstract readonly travel: {
    // A planned crossing passed by this many hours without "crossed into Ukraine" is overdue.
    readonly crossingOverdueHours: number;
    // Printed in the travel instructions; absent, the family is told to call the case's number.
    readonly emergencyPhone?: string;
  };
  abstract readonly intake: {
    readonly webhookSecret?: string;
    readonly maxBytes: number;
    readonly replayWindowMs: number;
    readonly maxAttachments: number;
    readonly maxAttachmentBytes: number;
    // Lower case.
    readonly authservIds: readonly string[];
    // Absent: no IMAP door.
    readonly imap?: {
      readonly host: string;
      readonly port: number;
      readonly tls: Environment['IMAP_TLS'];
      readonly user: string;
      readonly password: string;
      readonly mailboxes: readonly string[];
      readonly processedFolder: string;
      readonly pollIntervalMs: number;
      readonly leaseMs: number;
    };
  };
  abstract readonly mail: {
    // Absent: messages are written as .eml files under `dir`.
    readonly smtp?: {
      readonly host: string;
      readonly port: number;
      readonly tls: Environment['SMTP_TLS'];
      readonly user?: string;
      readonly password?: string;
      readonly poolSize: number;
    };
    readonly from: string;
    readonly replyTo: string;
    // The right-hand side of our Message-IDs.
    readonly domain: string;
    readonly dir: string;
    readonly timeZone: string;
    readonly worker: {
      readonly pollIntervalMs: number;
      readonly batchSize: number;
      readonly leaseMs: number;
      readonly maxAttempts: number;
      readonly retryBaseMs: number;
    };
  };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

const KNOWN_VARIABLES = new Set(Object.keys(new Environment()).concat('DATABASE_URL'));

// Reads only the variables we know; an empty value counts as unset so that `FOO=` in a .env file
// falls back to the default instead of failing on an empty string.
export function loadConfig(source: NodeJS.ProcessEnv): AppConfig {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (KNOWN_VARIABLES.has(key) && value !== undefined && value !== '') raw[key] = value;
  }
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: true, stopAtFirstError: true });
  const problems = errors.flatMap(describe(raw));
  if (env.DATABASE_URL && !env.DATA_ENCRYPTION_KEY) {
    problems.push(
      'DATA_ENCRYPTION_KEY: is required with DATABASE_URL (generate one with `openssl rand -base64 32`)',
    );
  }
  // Retired: it decided whether a process sent mail. Ignoring it would turn API-only replicas
  // into workers on upgrade.
  if (source.MAIL_WORKER !== undefined && source.MAIL_WORKER !== '') {
    problems.push(
      'MAIL_WORKER: is replaced by ROLE (ROLE=api for a process that runs no background job, ROLE=worker or all for one that does)',
    );
  }
  if (env.SMTP_USER && !env.SMTP_PASSWORD) {
    problems.push('SMTP_PASSWORD: is required with SMTP_USER');
  }
  if (env.IMAP_HOST && (!env.IMAP_USER || !env.IMAP_PASSWORD)) {
    problems.push('IMAP_USER, IMAP_PASSWORD: are required with IMAP_HOST');
  }
  if (
    env.IMAP_HOST &&
    env.IMAP_MAILBOXES.split(',').some((m) => m.trim() === env.IMAP_PROCESSED_FOLDER)
  ) {
    problems.push('IMAP_PROCESSED_FOLDER: must not be one of IMAP_MAILBOXES');
  }
  if (env.MAIL_TIME_ZONE && !validTimeZone(env.MAIL_TIME_ZONE)) {
    problems.push(
      `MAIL_TIME_ZONE: is not a time zone this system knows (got "${env.MAIL_TIME_ZONE}")`,
    );
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return toAppConfig(env);
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const addressOf = (mailbox: string) => /<([^>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();

function describe(raw: Record<string, string>) {
  return (error: ValidationError): string[] => {
    const shown = SECRET_VARIABLES.has(error.property)
      ? '(value hidden: secret)'
      : `(got ${JSON.stringify(raw[error.property] ?? error.value)})`;
    return Object.values(error.constraints ?? {}).map(
      (message) => `${error.property}: ${message.replace(`${error.property} `, '')} ${shown}`,
    );
  };
}

function toAppConfig(env: Environment): AppConfig {
  return {
    nodeEnv: env.NODE_ENV,
    role: { name: env.ROLE, api: env.ROLE !== 'worker', jobs: env.ROLE !== 'api' },
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimit: env.BODY_LIMIT.toLowerCase().replace(/\s+/g, ''),
      corsOrigins: env.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      trustProxy: trustProxyOf(env.TRUST_PROXY),
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      ssl: env.DATABASE_SSL,
      runMigrations: env.MIGRATIONS_RUN,
      embedded: { dir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT },
    },
    log: { level: env.LOG_LEVEL, pretty: env.NODE_ENV === 'development' },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    auth: {
      firstAdmin: { email: env.ADMIN_EMAIL?.toLowerCase(), password: env.ADMIN_PASSWORD },
      sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
      sessionMaxMs: env.SESSION_MAX_HOURS * 3_600_000,
      totpRequiredRoles:
        env.TOTP_REQUIRED_ROLES === 'none'
          ? []
          : (env.TOTP_REQUIRED_ROLES.split(',').map((r) => r.trim()) as Role[]),
      loginRateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
      lockoutAttempts: env.LOGIN_LOCKOUT_ATTEMPTS,
      lockoutMs: env.LOGIN_LOCKOUT_MINUTES * 60_000,
      secureCookies: env.NODE_ENV === 'production',
    },
    security: {
      dataEncryptionKey: env.DATA_ENCRYPTION_KEY
        ? Buffer.from(env.DATA_ENCRYPTION_KEY, 'base64')
        : undefined,
      oldDataEncryptionKeys: (env.DATA_ENCRYPTION_OLD_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map((k) => Buffer.from(k, 'base64')),
    },
    audit: { checkpointIntervalMs: env.AUDIT_CHECKPOINT_INTERVAL_MS },
    metrics: { token: env.METRICS_TOKEN },
    reports: { verificationWaitDays: env.REPORTS_VERIFICATION_WAIT_DAYS },
    retention: {
      mode: env.RETENTION_MODE,
      days: new Map(
        env.RETENTION_DAYS.split(',')
          .map((pair) => pair.trim().split('='))
          .filter(([, days]) => days !== 'never')
          .map(([status, days]) => [status, Number(days)]),
      ),
      intervalMs: env.RETENTION_INTERVAL_MINUTES * 60_000,
    },
    status: {
      publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
      linkTtlDays: env.STATUS_LINK_TTL_DAYS,
    },
    travel: {
      crossingOverdueHours: env.TRAVEL_CROSSING_OVERDUE_HOURS,
      emergencyPhone: env.TRAVEL_EMERGENCY_PHONE,
    },
    intake: {
      webhookSecret: env.INTAKE_WEBHOOK_SECRET,
      maxBytes: env.INTAKE_MAX_BYTES,
      replayWindowMs: env.INTAKE_REPLAY_WINDOW_SECONDS * 1_000,
      maxAttachments: env.INTAKE_MAX_ATTACHMENTS,
      maxAttachmentBytes: env.INTAKE_MAX_ATTACHMENT_BYTES,
      authservIds: env.INTAKE_AUTHSERV_IDS.split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
      imap: env.IMAP_HOST
        ? {
            host: env.IMAP_HOST,
            port: env.IMAP_PORT,
            tls: env.IMAP_TLS,
            user: env.IMAP_USER!,
            password: env.IMAP_PASSWORD!,
            mailboxes: [...new Set(env.IMAP_MAILBOXES.split(',').map((m) => m.trim()))],
            processedFolder: env.IMAP_PROCESSED_FOLDER,
            pollIntervalMs: env.IMAP_POLL_INTERVAL_MS,
            leaseMs: env.IMAP_LEASE_SECONDS * 1_000,
          }
        : undefined,
    },
    mail: {
      smtp: env.SMTP_HOST
        ? {
            host: env.SMTP_HOST,
            port: env.SMTP_PORT,
            tls: env.SMTP_TLS,
            user: env.SMTP_USER,
            password: env.SMTP_PASSWORD,
            poolSize: env.SMTP_POOL_SIZE,
          }
        : undefined,
      from: env.MAIL_FROM,
      replyTo: env.MAIL_REPLY_TO ?? addressOf(env.MAIL_FROM),
      domain: addressOf(env.MAIL_FROM).split('@')[1].toLowerCase(),
      dir: env.MAIL_DIR,
      timeZone: env.MAIL_TIME_ZONE,
      worker: {
        pollIntervalMs: env.MAIL_POLL_INTERVAL_MS,
        batchSize: env.MAIL_BATCH_SIZE,
        leaseMs: env.MAIL_LEASE_SECONDS * 1_000,
        maxAttempts: env.MAIL_MAX_ATTEMPTS,
        retryBaseMs: env.MAIL_RETRY_BASE_MS,
      },
    },
  };
}

// `true` means one reverse proxy in front (trusting any number of hops would let a client name
// its own address and walk past the rate limits); a number is that many hops; anything else
// lists the proxies.
function trustProxyOf(value: string): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return 1;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((p) => p.trim());
}
