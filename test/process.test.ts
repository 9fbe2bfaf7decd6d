import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnApp } from './support/app-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The compiled app as a real process: what `npm start` runs.
const TEST_KEY = randomBytes(32).toString('base64');

describe('configuration errors', () => {
  it('exit non-zero listing every problem, before anything starts', async () => {
    const sut = spawnApp({
      PORT: 'http',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://u:hunter2@h/d',
    });

    expect(await sut.exited).toBe(1);
    const stderr = sut.stderr();
    expect(stderr).toContain('Invalid configuration (4 problems)');
    expect(stderr).toContain('DATA_ENCRYPTION_KEY: is required with DATABASE_URL');
    expect(stderr).toMatch(/PORT: .*\(got "http"\)/);
    expect(stderr).toMatch(/LOG_LEVEL: must be one of the following values: fatal, error/);
    expect(stderr).toMatch(/DATABASE_URL: .*\(value hidden: secret\)/);
    expect(stderr).not.toContain('hunter2');
  });

  it('read an optional .env file, with the environment taking precedence', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-dotenv-'));
    await writeFile(path.join(folder, '.env'), 'LOG_LEVEL=chatty\nBODY_LIMIT=lots\n');
    const sut = spawnApp({ BODY_LIMIT: '2mb' }, folder);

    expect(await sut.exited).toBe(1);
    expect(sut.stderr()).toContain('Invalid configuration (1 problem)');
    expect(sut.stderr()).toMatch(/LOG_LEVEL: .*\(got "chatty"\)/);
    await rm(folder, { recursive: true, force: true });
  });
});

describe('a failed start', () => {
  it('logs JSON lines only, names the error, and exits 1', async () => {
    const port = await freePort(); // nothing listens there
    const sut = spawnApp({
      DATABASE_URL: `postgres://app:pw@127.0.0.1:${port}/none`,
      DATA_ENCRYPTION_KEY: TEST_KEY,
    });

    expect(await sut.exited).toBe(1);
    const lines = sut.stdout().trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const fatal = parsed.find((l) => l.level === 'fatal');
    expect(fatal?.msg).toBe('homecoming failed to start');
    expect(fatal?.err).toMatchObject({
      type: 'Error',
      code: 'ECONNREFUSED',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(parsed.filter((l) => l.level === 'error').length).toBeGreaterThan(0);
    expect(sut.stdout()).not.toContain(':pw@');
  });
});

describe('graceful shutdown', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    const sut = spawnApp({
      DATABASE_URL: database.url,
      DATA_ENCRYPTION_KEY: TEST_KEY,
      LOG_LEVEL: 'info',
    });
    const url = new URL(await sut.listening);

    // A request whose body is still arriving when the signal comes.
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    const body = JSON.stringify({ note: 'x'.repeat(100) });
    socket.write(
      `POST /api/anything HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 100));

    sut.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(sut.child.exitCode).toBeNull();
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(Number(url.port), url.hostname);
      probe.once('connect', () => resolve(probe.destroy() && false));
      probe.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);

    socket.write(body.slice(10));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));

    expect(response).toMatch(/^HTTP\/1\.1 404 /);
    expect(response).toContain('application/problem+json');
    expect(await sut.exited).toBe(0);
    expect(sut.stdout()).toContain('shutdown complete');
  });
});

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  let folder: string;
  let port: number;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-embedded-'));
    await chmod(folder, 0o755);
    port = await freePort();
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  // Nested folders that do not exist yet, like var/pg on a fresh clone.
  const dataDir = () => path.join(folder, 'fresh-clone', 'var', 'pg');

  async function startAndStop(): Promise<{ stdout: string; stderr: string }> {
    const sut = spawnApp({
      EMBEDDED_PG_DIR: dataDir(),
      EMBEDDED_PG_PORT: String(port),
    });
    const url = await sut.listening;
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(existsSync(path.join(dataDir(), 'postmaster.pid'))).toBe(true);

    sut.child.kill('SIGTERM');
    expect(await sut.exited).toBe(0);
    return { stdout: sut.stdout(), stderr: sut.stderr() };
  }

  it('creates the cluster, serves, and stops PostgreSQL on shutdown; keeps the data for next time', async () => {
    const first = await startAndStop();
    expect(first.stdout).toContain('embedded PostgreSQL cluster created');
    expect(first.stdout).toContain('embedded PostgreSQL stopped');
    expect(existsSync(path.join(dataDir(), 'postmaster.pid'))).toBe(false);

    const second = await startAndStop();
    expect(second.stdout).not.toContain('cluster created');
    expect(second.stdout).toContain(`embedded PostgreSQL started on 127.0.0.1:${port}`);
    expect(existsSync(`${dataDir()}.data-key`)).toBe(true);
    // initdb and every migration, twice: on a busy machine this outlasts the default 30 s.
  }, 120_000);
});

describe('first admin', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('is created once, with a generated password shown on stderr and never logged', async () => {
    const env = { DATABASE_URL: database.url, DATA_ENCRYPTION_KEY: TEST_KEY };
    const first = spawnApp(env);
    const url = await first.listening;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const shown = /password: (\S+)/.exec(first.stderr());
    expect(first.stderr()).toContain('email:    admin@homecoming.local');
    expect(shown).not.toBeNull();
    expect(first.stdout()).toContain('first admin account created');
    expect(first.stdout()).not.toContain(shown![1]);
    expect(url).toMatch(/^http:/);

    const second = spawnApp(env);
    await second.listening;
    const signIn = await fetch(`${await second.listening}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@homecoming.local', password: shown![1] }),
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.stderr()).not.toContain('password:');
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { pendingStep: string }).pendingStep).toBe('password_change');
  });
});
