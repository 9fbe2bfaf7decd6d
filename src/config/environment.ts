import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { FINAL_STATES } from '../inquiries/state-machine/inquiry-states.js';

// The environment as the process receives it, checked field by field. Every variable here is
// documented in .env.example; keep the two in step. Names listed in SECRET_VARIABLES never have
// their values echoed in error messages or logs.

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'DATABASE_URL',
  'ADMIN_PASSWORD',
  'DATA_ENCRYPTION_KEY',
  'DATA_ENCRYPTION_OLD_KEYS',
  'SMTP_PASSWORD',
  'INTAKE_WEBHOOK_SECRET',
  'IMAP_PASSWORD',
  'METRICS_TOKEN',
]);

// What a process does: `api` serves the API and runs no background jobs; `worker` runs the jobs
// (mail out, IMAP intake, sweeps, notices, report folding, audit checkpoints) and answers only
// /health and /metrics; `all` does both.
export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

// A case's final statuses (the state list's own, a plain vocabulary file): retention runs from
// when it entered one.
export const TERMINAL_STATES = FINAL_STATES;
export const RETENTION_MODES = ['off', 'dry-run', 'on'] as const;
const RETENTION_POLICY = new RegExp(
  `^(${TERMINAL_STATES.join('|')})=(\\d{1,5}|never)(\\s*,\\s*(${TERMINAL_STATES.join('|')})=(\\d{1,5}|never))*$`,
);
const DEFAULT_RETENTION =
  'handed_over=730,closed_not_found=365,closed_withdrawn=365,closed_rejected=365,' +
  'closed_declined_by_prisoner=365,closed_duplicate=90';

export const SMTP_TLS_MODES = ['starttls', 'tls', 'none'] as const;
export const IMAP_TLS_MODES = ['tls', 'starttls', 'none'] as const;

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const PROXY_ADDRESS = String.raw`(?:loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(?:/\d{1,3})?)`;
const TRUST_PROXY_FORMAT = new RegExp(
  String.raw`^(?:true|false|yes|no|on|off|\d{1,2}|${PROXY_ADDRESS}(?:\s*,\s*${PROXY_ADDRESS})*)$`,
  'i',
);

export class Environment {
  @IsIn(NODE_ENVS)
  @Transform(trim)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'production';

  // `--role=` on the command line takes precedence (main.ts).
  @IsIn(PROCESS_ROLES)
  @Transform(trim)
  ROLE: ProcessRole = 'all';

  @IsString()
  @MinLength(1)
  @Transform(trim)
  HOST = '127.0.0.1';

  @IsInt()
  @Min(0)
  @Max(65535)
  @Transform(toInt)
  PORT = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'must be a postgres:// or postgresql:// connection URL',
  })
  @Transform(trim)
  DATABASE_URL?: string;

  // At least 2: applying migrations holds one connection for the advisory lock.
  @IsInt()
  @Min(2)
  @Max(200)
  @Transform(toInt)
  DATABASE_POOL_SIZE = 10;

  @IsIn(['disable', 'require', 'no-verify'])
  @Transform(trim)
  DATABASE_SSL: 'disable' | 'require' | 'no-verify' = 'disable';

  @IsString()
  @MinLength(1)
  @Transform(trim)
  EMBEDDED_PG_DIR = 'var/pg';

  @IsInt()
  @Min(1)
  @Max(65535)
  @Transform(toInt)
  EMBEDDED_PG_PORT = 54329;

  @IsBoolean()
  @Transform(toBoolean)
  MIGRATIONS_RUN = true;

  @Matches(/^\d+(\.\d+)?\s*(b|kb|mb)$/i, { message: 'must be a size such as 1mb, 512kb or 100b' })
  @Transform(trim)
  BODY_LIMIT = '1mb';

  @Matches(/^(|\s*https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*\s*)$/, {
    message:
      'must be a comma-separated list of http(s) origins, e.g. https://a.example,https://b.example',
  })
  CORS_ORIGINS = '';

  // false; true (one reverse proxy in front); a number of proxy hops; or the proxies' addresses.
  @Matches(TRUST_PROXY_FORMAT, {
    message:
      'must be false, true (one reverse proxy in front), a number of proxy hops, or a comma-separated list of the proxies’ addresses or subnets (loopback, uniquelocal, 10.0.0.0/8, …)',
  })
  @Transform(trim)
  TRUST_PROXY = 'false';

  @IsIn(LOG_LEVELS)
  @Transform(trim)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsInt()
  @Min(0)
  @Max(600_000)
  @Transform(toInt)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  // Staff accounts and sessions.
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  @Transform(trim)
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  // 32 random bytes, base64: `openssl rand -base64 32`. Encrypts TOTP secrets and document
  // numbers at rest. Required with DATABASE_URL; the embedded set-up generates one in var/.
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'must be 32 bytes in base64 (openssl rand -base64 32)',
  })
  @Transform(trim)
  DATA_ENCRYPTION_KEY?: string;

  // Keys used before DATA_ENCRYPTION_KEY, comma-separated: they only open what was sealed under
  // them, until `npm run keys:rotate` has sealed it again under the current key (README, "Key
  // rotation").
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=(\s*,\s*[A-Za-z0-9+/]{43}=)*$/, {
    message: 'must be comma-separated 32-byte keys in base64',
  })
  @Transform(trim)
  DATA_ENCRYPTION_OLD_KEYS?: string;

  @IsInt()
  @Min(1)
  @Max(1440)
  @Transform(toInt)
  SESSION_IDLE_MINUTES = 30;

  @IsInt()
  @Min(1)
  @Max(168)
  @Transform(toInt)
  SESSION_MAX_HOURS = 12;

  @Matches(
    /^(none|(intake|caseworker|supervisor|auditor|admin)(\s*,\s*(intake|caseworker|supervisor|auditor|admin))*)$/,
    {
      message:
        'must be `none` or a comma-separated list of roles (intake, caseworker, supervisor, auditor, admin)',
    },
  )
  @Transform(trim)
  TOTP_REQUIRED_ROLES = 'supervisor,admin';

  @IsInt()
  @Min(1)
  @Max(10_000)
  @Transform(toInt)
  LOGIN_RATE_LIMIT_PER_MINUTE = 30;

  @IsInt()
  @Min(1)
  @Max(100)
  @Transform(toInt)
  LOGIN_LOCKOUT_ATTEMPTS = 5;

  @IsInt()
  @Min(1)
  @Max(1440)
  @Transform(toInt)
  LOGIN_LOCKOUT_MINUTES = 15;

  // How often the audit log's global checkpoint is written; 0 turns the scheduler off.
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  @Transform(toInt)
  AUDIT_CHECKPOINT_INTERVAL_MS = 600_000;

  // --- Mail out. With no SMTP_HOST, messages are written as .eml files under MAIL_DIR.
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+$/, { message: 'must be a host name or IP address' })
  @Transform(trim)
  SMTP_HOST?: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  @Transform(toInt)
  SMTP_PORT = 587;

  // starttls: plain connection upgraded with STARTTLS, required (port 587); tls: TLS from the
  // first byte (port 465); none: no encryption (a relay on localhost only).
  @IsIn(SMTP_TLS_MODES)
  @Transform(trim)
  SMTP_TLS: (typeof SMTP_TLS_MODES)[number] = 'starttls';

  @IsOptional()
  @IsString()
  SMTP_USER?: string;

  @IsOptional()
  @IsString()
  SMTP_PASSWORD?: string;

  // Connections kept open to the SMTP server by one app process.
  @IsInt()
  @Min(1)
  @Max(50)
  @Transform(toInt)
  SMTP_POOL_SIZE = 5;

  @IsString()
  @Matches(/^[^\r\n<>]*<?[^\s@<>]+@[^\s@<>]+>?$/, {
    message: 'must be an address, optionally with a name: "homecoming <cases@example.org>"',
  })
  @Transform(trim)
  MAIL_FROM = 'homecoming <noreply@homecoming.invalid>';

  // Where families' replies go (the intake mailbox); the From address when unset.
  @IsOptional()
  @IsEmail()
  @Transform(trim)
  MAIL_REPLY_TO?: string;

  @IsString()
  @MinLength(1)
  @Transform(trim)
  MAIL_DIR = 'var/mail';

  // Times in family emails (callback windows) are written in this zone, and named.
  @IsString()
  @Matches(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, {
    message: 'must be an IANA time zone, e.g. Europe/Kyiv',
  })
  @Transform(trim)
  MAIL_TIME_ZONE = 'Europe/Kyiv';

  @IsInt()
  @Min(10)
  @Max(60_000)
  @Transform(toInt)
  MAIL_POLL_INTERVAL_MS = 1_000;

  @IsInt()
  @Min(1)
  @Max(500)
  @Transform(toInt)
  MAIL_BATCH_SIZE = 50;

  // A claimed message not reported sent or failed within this time is claimed again.
  @IsInt()
  @Min(5)
  @Max(3_600)
  @Transform(toInt)
  MAIL_LEASE_SECONDS = 120;

  @IsInt()
  @Min(1)
  @Max(30)
  @Transform(toInt)
  MAIL_MAX_ATTEMPTS = 8;

  // First retry after about this long; each next one waits twice as long (with jitter).
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  @Transform(toInt)
  MAIL_RETRY_BASE_MS = 30_000;

  // Bearer token Prometheus sends to GET /metrics; unset, /metrics answers 503.
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
  METRICS_TOKEN?: string;

  // --- Mail in. The webhook (POST /api/intake/email) answers 503 until a secret is set.
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
  INTAKE_WEBHOOK_SECRET?: string;

  // Largest raw message taken, by the webhook and from IMAP (bytes).
  @IsInt()
  @Min(1_024)
  @Max(200 * 1024 * 1024)
  @Transform(toInt)
  INTAKE_MAX_BYTES = 25 * 1024 * 1024;

  // A webhook call whose signed timestamp is further than this from now is refused (replays).
  @IsInt()
  @Min(10)
  @Max(3_600)
  @Transform(toInt)
  INTAKE_REPLAY_WINDOW_SECONDS = 300;

  // Attachments kept per message, and the largest one kept (bytes); the rest are listed on the
  // message with the reason they were not kept.
  @IsInt()
  @Min(0)
  @Max(1_000)
  @Transform(toInt)
  INTAKE_MAX_ATTACHMENTS = 20;

  @IsInt()
  @Min(1_024)
  @Max(200 * 1024 * 1024)
  @Transform(toInt)
  INTAKE_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;

  // The authserv-ids of our own receiving servers (comma-separated, e.g. mx.example.org): only
  // their Authentication-Results headers count; any other is kept as unverified.
  @Matches(/^\s*([A-Za-z0-9.-]+\s*(,\s*[A-Za-z0-9.-]+\s*)*)?$/, {
    message: 'must be a comma-separated list of host names (authserv-ids), e.g. mx.example.org',
  })
  INTAKE_AUTHSERV_IDS = '';

  // --- The families' status page: the service's public address (links in letters are built on
  // it; unset, letters carry no link) and how long a link lasts.
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, {
    message: 'must be an http(s) URL, e.g. https://homecoming.example.org',
  })
  PUBLIC_BASE_URL?: string;

  @IsInt()
  @Min(1)
  @Max(365)
  @Transform(toInt)
  STATUS_LINK_TTL_DAYS = 90;

  // --- Reports: a verification waiting longer than this for its second signature is counted.
  @IsInt()
  @Min(1)
  @Max(90)
  @Transform(toInt)
  REPORTS_VERIFICATION_WAIT_DAYS = 3;

  // --- Retention. How long after a case ended (its final status) its personal data is kept,
  // per final status: `status=days` pairs, or `status=never`. A status not listed is kept.
  @Matches(RETENTION_POLICY, {
    message: `must be comma-separated status=days or status=never pairs, statuses among ${TERMINAL_STATES.join(', ')}`,
  })
  @Transform(trim)
  RETENTION_DAYS = DEFAULT_RETENTION;

  // off: no case is touched; dry-run: the job logs what it would remove (case references and
  // counts, never a value); on: it removes it. Runs where the role runs jobs (and deletes, in
  // every mode, stored answers to retried requests older than 24 hours).
  @IsIn(RETENTION_MODES)
  @Transform(trim)
  RETENTION_MODE: (typeof RETENTION_MODES)[number] = 'dry-run';

  @IsInt()
  @Min(1)
  @Max(1440)
  @Transform(toInt)
  RETENTION_INTERVAL_MINUTES = 60;

  // --- Travel.
  @IsInt()
  @Min(1)
  @Max(168)
  @Transform(toInt)
  TRAVEL_CROSSING_OVERDUE_HOURS = 12;

  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{6,20}$/, { message: 'must be a phone number, e.g. +380 44 000 00 00' })
  TRAVEL_EMERGENCY_PHONE?: string;

  // The IMAP door: off while IMAP_HOST is unset.
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+$/, { message: 'must be a host name or IP address' })
  @Transform(trim)
  IMAP_HOST?: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  @Transform(toInt)
  IMAP_PORT = 993;

  // tls: TLS from the first byte (port 993); starttls: plain connection upgraded, required (143);
  // none: no encryption (a server on localhost only).
  @IsIn(IMAP_TLS_MODES)
  @Transform(trim)
  IMAP_TLS: (typeof IMAP_TLS_MODES)[number] = 'tls';

  @IsOptional()
  @IsString()
  IMAP_USER?: string;

  @IsOptional()
  @IsString()
  IMAP_PASSWORD?: string;

  // Folders read, comma-separated.
  @IsString()
  @Matches(/^[^,\r\n]+(,[^,\r\n]+)*$/, { message: 'must be folder names separated by commas' })
  @Transform(trim)
  IMAP_MAILBOXES = 'INBOX';

  // Where a message goes once it is stored (flagged \Seen), created when missing.
  @IsString()
  @MinLength(1)
  @Transform(trim)
  IMAP_PROCESSED_FOLDER = 'Processed';

  // Checked this often even when IDLE says nothing (and always on servers without IDLE).
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  @Transform(toInt)
  IMAP_POLL_INTERVAL_MS = 60_000;

  // One replica reads a mailbox; it holds the mailbox's lease and renews it; another takes it
  // over when it is not renewed within this time.
  @IsInt()
  @Min(5)
  @Max(3_600)
  @Transform(toInt)
  IMAP_LEASE_SECONDS = 60;
}
