import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { randomBytes } from 'node:crypto';
import { RoutePolicyInspector } from '../src/auth/route-policy.inspector.js';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff } from './support/staff.js';
import { LogCapture, createTestApp, type TestApp } from './support/test-app.js';
import { ProbeController } from './support/probe.controller.js';

// Values that must never appear in any log line, whatever route they take into the logger.
const SECRETS = {
  bearer: 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig',
  cookie: 'hc_session=s%3Asupersecretsessionid',
  password: 'Tr0ub4dor&3-mother',
  email: 'olga.petrova@mail.ru',
  phone: '+7 916 123-45-67',
  name: 'Петрова Ольга Ивановна',
};

describe('logs are structured JSON with secrets and personal data redacted', () => {
  let sut: TestApp;
  let http: App;
  const logs = new LogCapture();

  beforeAll(async () => {
    sut = await createTestApp({ logDestination: logs, controllers: [ProbeController] });
    http = sut.app.getHttpServer() as App;

    await request(http)
      .post(
        `/api/probe/validate?email=${encodeURIComponent(SECRETS.email)}&q=${encodeURIComponent(SECRETS.name)}`,
      )
      .set('Authorization', `Bearer ${SECRETS.bearer}`)
      .set('Cookie', SECRETS.cookie)
      .send({ name: SECRETS.name, password: SECRETS.password });
    await request(http).get('/api/probe/crash').set('Authorization', `Bearer ${SECRETS.bearer}`);
    new Logger('Probe').error(
      Object.assign(new Error(`no mailbox for ${SECRETS.email}`), { password: SECRETS.password }),
    );
    const logger = await sut.app.resolve(PinoLogger);
    logger.info(
      { inquirer: { fullName: SECRETS.name, email: SECRETS.email, phones: [SECRETS.phone] } },
      `callback promised to ${SECRETS.phone} / ${SECRETS.email}`,
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  it('writes one JSON object per line, with level, time and request id', () => {
    const access = logs.lines.find((l) =>
      (l.req as { url?: string } | undefined)?.url?.startsWith('/api/probe/validate'),
    );

    expect(access).toMatchObject({ level: 'warn', service: 'homecoming' });
    expect(typeof access?.time).toBe('string');
    expect((access?.req as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(Object.entries(SECRETS))('never contains the %s', (_kind, secret) => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
  });

  it('redacts errors logged through Nest as well', () => {
    const line = logs.lines.find((l) => l.context === 'Probe');
    expect(line?.err).toMatchObject({
      type: 'Error',
      message: 'no mailbox for [email]',
      password: '[redacted]',
    });
  });

  it('shows where something was redacted', () => {
    const access = logs.lines.find((l) =>
      (l.req as { url?: string } | undefined)?.url?.startsWith('/api/probe/validate'),
    );
    const req = access?.req as { url: string; headers: Record<string, string> };

    expect(req.headers.authorization).toBe('[redacted]');
    expect(req.headers.cookie).toBe('[redacted]');
    expect(req.url).toBe('/api/probe/validate?email=[redacted]&q=[redacted]');

    const custom = logs.lines.find(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('callback promised'),
    );
    expect(custom?.msg).toBe('callback promised to [phone] / [email]');
    expect(custom?.inquirer).toEqual({
      fullName: '[redacted]',
      email: '[redacted]',
      phones: '[redacted]',
    });
  });
});

// Tokens in paths (a family's status link): every route that takes one is requested — with a
// token that exists and one that does not — and no log line may hold it, whole or in part.
describe('tokens in paths never reach the log', () => {
  let sut: TestApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    sut = await createTestApp({
      logDestination: logs,
      env: { TOTP_REQUIRED_ROLES: 'none', LOG_LEVEL: 'debug' },
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('redacts the token of every route that takes one, in the message and in req.url', async () => {
    const withToken = sut.app
      .get(RoutePolicyInspector)
      .routes()
      .filter((r) => /(^|\/):token\b/.test(r.path));
    expect(withToken.map((r) => `${r.method} ${r.path}`)).toEqual(['GET status/:token']);
    const staff = await signedInStaff(sut, { roles: ['caseworker'] });
    const { id } = await createInquiry(staff);
    const issued = await staff.agent
      .post(`/api/inquiries/${id}/status-links`)
      .set('X-CSRF-Token', staff.csrf);
    expect(issued.status).toBe(201);
    const tokens = [issued.body.token as string, randomBytes(32).toString('base64url')];
    const http = sut.app.getHttpServer() as App;
    for (const route of withToken) {
      for (const token of tokens) {
        const path = `/${route.path.replace(':token', token)}`;
        const res = await request(http)[route.method.toLowerCase() as 'get'](path);
        expect([path, res.status]).toEqual([path, token === tokens[0] ? 200 : 404]);
      }
    }
    const text = logs.text();
    const access = logs.lines.filter((l) =>
      String((l.req as { url?: string } | undefined)?.url ?? '').startsWith('/status/'),
    );
    expect(access).toHaveLength(2);
    for (const line of access) {
      expect((line.req as { url: string }).url).toBe('/status/[redacted]');
      expect(line.msg).toMatch(/^GET \/status\/\[redacted\] (200|404)$/);
    }
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(0, 12));
      expect(text).not.toContain(token.slice(-12));
    }
  });
});
