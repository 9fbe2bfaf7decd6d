import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from './app-config.js';
import { CLOSED_STATES } from '../inquiries/state-machine/inquiry-states.js';
import { Environment, TERMINAL_STATES } from './environment.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives safe defaults for an empty environment', () => {
    const sut = loadConfig({});

    expect(sut.nodeEnv).toBe('production');
    expect(sut.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      bodyLimit: '1mb',
      corsOrigins: [],
      trustProxy: false,
    });
    expect(sut.database.url).toBeUndefined();
    expect(sut.database.runMigrations).toBe(true);
    expect(sut.log).toEqual({ level: 'info', pretty: false });
  });

  it('reads and converts every kind of value', () => {
    const sut = loadConfig({
      NODE_ENV: 'development',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:pw@db:5432/homecoming',
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      MIGRATIONS_RUN: 'false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      BODY_LIMIT: '512KB',
      TRUST_PROXY: 'yes',
    });

    expect(sut.http.port).toBe(8080);
    expect(sut.database.url).toBe('postgres://app:pw@db:5432/homecoming');
    expect(sut.database.runMigrations).toBe(false);
    expect(sut.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(sut.http.bodyLimit).toBe('512kb');
    expect(sut.http.trustProxy).toBe(1);
    expect(sut.log.pretty).toBe(true);
  });

  it.each([
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).http.port).toBe(3000);
  });

  it('lists every problem at once, naming each variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      NODE_ENV: 'staging',
      MIGRATIONS_RUN: 'maybe',
      BODY_LIMIT: 'huge',
      CORS_ORIGINS: 'not-an-origin',
    });

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'BODY_LIMIT',
      'CORS_ORIGINS',
      'MIGRATIONS_RUN',
      'NODE_ENV',
      'PORT',
    ]);
    expect(problems.join('\n')).toContain('(got "eighty")');
  });

  it('never echoes the value of a secret', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://root:hunter2@db/x',
      DATA_ENCRYPTION_KEY: 'tooshort-hunter3',
      ADMIN_PASSWORD: 'hunter4',
    });

    expect(problems).toHaveLength(3);
    for (const problem of problems) {
      expect(problem).toMatch(/^(DATABASE_URL|DATA_ENCRYPTION_KEY|ADMIN_PASSWORD): /);
      expect(problem).toContain('(value hidden: secret)');
      expect(problem).not.toMatch(/hunter/);
    }
  });

  it('requires a data encryption key with an external database', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://app:pw@db/homecoming' });

    expect(problems).toEqual([
      'DATA_ENCRYPTION_KEY: is required with DATABASE_URL (generate one with `openssl rand -base64 32`)',
    ]);
  });

  it('turns the IMAP door on with a host, an account and distinct folders', () => {
    expect(loadConfig({}).intake.imap).toBeUndefined();
    expect(problemsOf({ IMAP_HOST: 'imap.example.org' })).toEqual([
      'IMAP_USER, IMAP_PASSWORD: are required with IMAP_HOST',
    ]);
    expect(
      problemsOf({
        IMAP_HOST: 'imap.example.org',
        IMAP_USER: 'cases',
        IMAP_PASSWORD: 'pw',
        IMAP_MAILBOXES: 'INBOX,Processed',
      }),
    ).toEqual(['IMAP_PROCESSED_FOLDER: must not be one of IMAP_MAILBOXES']);
    const imap = loadConfig({
      IMAP_HOST: 'imap.example.org',
      IMAP_USER: 'cases',
      IMAP_PASSWORD: 'pw',
      IMAP_MAILBOXES: ' INBOX , Families,INBOX',
      IMAP_TLS: 'starttls',
      IMAP_LEASE_SECONDS: '30',
    }).intake.imap;
    expect(imap).toMatchObject({
      host: 'imap.example.org',
      port: 993,
      tls: 'starttls',
      mailboxes: ['INBOX', 'Families'],
      processedFolder: 'Processed',
      leaseMs: 30_000,
    });
  });

  it('reads TOTP_REQUIRED_ROLES, with `none` for nobody', () => {
    expect(loadConfig({}).auth.totpRequiredRoles).toEqual(['supervisor', 'admin']);
    expect(loadConfig({ TOTP_REQUIRED_ROLES: 'none' }).auth.totpRequiredRoles).toEqual([]);
    expect(loadConfig({ TOTP_REQUIRED_ROLES: 'caseworker, admin' }).auth.totpRequiredRoles).toEqual(
      ['caseworker', 'admin'],
    );
    expect(problemsOf({ TOTP_REQUIRED_ROLES: 'root' })[0]).toMatch(
      /^TOTP_REQUIRED_ROLES: must be `none`/,
    );
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('has every variable documented in .env.example, and nothing else', () => {
    const documented = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=')[0])
      .sort();
    const known = [...new Set([...Object.keys(new Environment()), 'DATABASE_URL'])].sort();

    expect(documented).toEqual(known);
  });

  it('reads the retention policy per final status, and knows the final statuses the state machine has', () => {
    // config depends on no feature module, so it keeps its own list; this keeps the two equal.
    expect([...TERMINAL_STATES].sort()).toEqual(['handed_over', ...CLOSED_STATES].sort());
    const config = loadConfig({ RETENTION_DAYS: 'handed_over=never, closed_duplicate=30' });
    expect([...config.retention.days]).toEqual([['closed_duplicate', 30]]);
    expect(loadConfig({}).retention).toMatchObject({ mode: 'dry-run', intervalMs: 3_600_000 });
    expect(problemsOf({ RETENTION_DAYS: 'received=10' })).toEqual([
      expect.stringMatching(/^RETENTION_DAYS: must be comma-separated status=days/),
    ]);
  });

  it('refuses the retired MAIL_WORKER, naming ROLE', () => {
    expect(problemsOf({ MAIL_WORKER: 'false' })).toEqual([
      expect.stringMatching(/^MAIL_WORKER: is replaced by ROLE \(ROLE=api/),
    ]);
  });
});
