import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { PasswordService } from '../src/auth/password.service.js';
import { spawnApp, type AppProcess } from './support/app-process.js';
import { inquiryBody } from './support/inquiries.js';
import { createTestDatabase, withClient, type TestDatabase } from './support/test-database.js';

// `--role=api|worker|all`: one build, a process per job. Two real processes on one database: the
// API process writes the acknowledgement into the outbox and leaves it there; the worker sends
// it and serves nothing but its health.
const KEY = randomBytes(32).toString('base64');

async function stop(app: AppProcess | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null) return;
  app.child.kill('SIGTERM');
  await app.exited;
}

async function outboxStates(database: TestDatabase): Promise<string[]> {
  return withClient(database.url, async (client) => {
    const { rows } = await client.query<{ state: string }>(
      `SELECT state FROM outbox_message ORDER BY created_at`,
    );
    return rows.map((r) => r.state);
  });
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('process roles', () => {
  let database: TestDatabase;
  let mailDir: string;
  let api: AppProcess | undefined;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    mailDir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-roles-mail-'));
  });

  afterAll(async () => {
    await stop(api);
    await stop(worker);
    await database.drop();
    await rm(mailDir, { recursive: true, force: true });
  });

  it('refuses an unknown role before anything starts', async () => {
    const sut = spawnApp({ DATABASE_URL: database.url, DATA_ENCRYPTION_KEY: KEY }, undefined, [
      '--role=everything',
    ]);
    expect(await sut.exited).toBe(1);
    expect(sut.stderr()).toContain('--role: must be one of all, api, worker (got "everything")');
  });

  it('an API process queues mail without sending it; a worker sends it and serves no API', async () => {
    const env = {
      DATABASE_URL: database.url,
      DATA_ENCRYPTION_KEY: KEY,
      MAIL_DIR: mailDir,
      MAIL_POLL_INTERVAL_MS: '100',
      TOTP_REQUIRED_ROLES: 'none',
      NODE_ENV: 'test',
    };
    // ROLE in the environment says worker; the argument wins.
    api = spawnApp({ ...env, ROLE: 'worker' }, undefined, ['--role=api']);
    const apiUrl = await api.listening;
    expect(api.stdout()).toContain('"role":"api"');

    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const hash = await new PasswordService().hash(password);
    await withClient(database.url, (client) =>
      client.query(
        `INSERT INTO staff_user (email, display_name, roles, password_hash)
         VALUES ('roles@staff.test', 'Roles Test', '{caseworker}', $1)`,
        [hash],
      ),
    );
    const agent = request.agent(apiUrl);
    const login = await agent.post('/api/auth/login').send({ email: 'roles@staff.test', password });
    expect(login.status).toBe(200);
    const created = await agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', (login.body as { csrfToken: string }).csrfToken)
      .send(inquiryBody());
    expect(created.status).toBe(201);

    // Long enough for several rounds of a sender polling every 100 ms, had the API process one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await outboxStates(database)).toEqual(['pending']);
    expect(await readdir(mailDir)).toEqual([]);
    const apiReady = (await (await fetch(`${apiUrl}/health/ready`)).json()) as {
      details: { mail: { sending: boolean } };
    };
    expect(apiReady.details.mail.sending).toBe(false);

    worker = spawnApp(env, undefined, ['--role', 'worker']);
    const workerUrl = await worker.listening;
    expect(worker.stdout()).toContain('"role":"worker"');
    expect(
      await until(
        () => outboxStates(database),
        (s) => s[0] === 'sent',
      ),
    ).toEqual(['sent']);
    expect((await readdir(mailDir)).filter((f) => f.endsWith('.eml'))).toHaveLength(1);

    const ready = await fetch(`${workerUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(
      ((await ready.json()) as { details: { mail: { sending: boolean } } }).details.mail,
    ).toMatchObject({ sending: true });
    // Metrics are the worker's to answer (503 here: no METRICS_TOKEN set).
    expect((await fetch(`${workerUrl}/metrics`)).status).toBe(503);
    for (const route of ['/api/inquiries', '/admin/', '/status/abc', '/api/docs-json']) {
      const res = await fetch(`${workerUrl}${route}`);
      expect({ route, status: res.status }).toEqual({ route, status: 404 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toContain('ROLE=worker');
    }
  });
});
