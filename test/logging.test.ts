import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import request from 'supertest';
import type { App } from 'supertest/types.js';
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
