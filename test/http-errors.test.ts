import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { LogCapture, createTestApp, type TestApp } from './support/test-app.js';
import { ProbeController } from './support/probe.controller.js';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('errors are RFC 9457 problem documents', () => {
  let sut: TestApp;
  let http: App;
  const logs = new LogCapture();

  beforeAll(async () => {
    sut = await createTestApp({
      env: { BODY_LIMIT: '2kb' },
      logDestination: logs,
      controllers: [ProbeController],
    });
    http = sut.app.getHttpServer() as App;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers an unknown route with 404 route_not_found', async () => {
    const res = await request(http).get('/api/no/such/route?email=x@y.z');

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toEqual({
      type: 'urn:homecoming:problem:route-not-found',
      title: 'No such route',
      status: 404,
      detail: 'Cannot GET /api/no/such/route',
      instance: '/api/no/such/route',
      code: 'route_not_found',
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await request(http)
      .post('/api/probe/validate')
      .set('Content-Type', 'application/json')
      .send('{"name": "Olga",');

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({
      type: 'urn:homecoming:problem:malformed-json',
      status: 400,
      code: 'malformed_json',
      detail: 'The request body is not valid JSON.',
    });
  });

  it('answers a body over BODY_LIMIT with 413 payload_too_large', async () => {
    const res = await request(http)
      .post('/api/probe/validate')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(3000) }));

    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large', limitBytes: 2048 });
  });

  it('names every invalid field, nested ones by dotted path', async () => {
    const res = await request(http)
      .post('/api/probe/validate')
      .send({ name: 'x'.repeat(21), priority: 11, language: 'de', contact: { email: 'nope' } });

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.code).toBe('validation_failed');
    const fields = (res.body.errors as { field: string; rule: string }[])
      .map((e) => `${e.field}:${e.rule}`)
      .sort();
    expect(fields).toEqual([
      'contact.email:isEmail',
      'language:isIn',
      'name:maxLength',
      'priority:max',
    ]);
  });

  it('refuses properties the DTO does not declare', async () => {
    const res = await request(http)
      .post('/api/probe/validate')
      .send({
        name: 'Olga',
        priority: 1,
        language: 'ru',
        contact: { email: 'o@x.ru' },
        role: 'admin',
      });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'role', rule: 'whitelistValidation', message: 'property role should not exist' },
    ]);
  });

  it('refuses a NUL character anywhere in a body as a 400 naming the field (PostgreSQL text cannot hold it)', async () => {
    const res = await request(http)
      .post('/api/probe/validate')
      .send({ name: 'Ольга', priority: 2, language: 'ru', contact: { email: 'o@x.ru\u0000' } });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      {
        field: 'contact.email',
        rule: 'noNulCharacter',
        message: 'contact.email must not contain NUL characters',
      },
    ]);
  });

  it('accepts a valid body', async () => {
    const res = await request(http)
      .post('/api/probe/validate')
      .send({ name: 'Ольга', priority: 2, language: 'ru', contact: { email: 'o@x.ru' } });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ok: true, name: 'Ольга' });
  });

  it('maps a domain exception code to its status, with extension members', async () => {
    const res = await request(http).get('/api/probe/conflict');

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'stale_version',
      title: 'Changed by someone else',
      detail: 'The inquiry was changed since version 3.',
      currentVersion: 4,
    });
  });

  it('maps a unique violation in PostgreSQL to 409 unique_violation', async () => {
    const first = await request(http).post('/api/probe/unique');
    const second = await request(http).post('/api/probe/unique');

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      code: 'unique_violation',
      constraint: 'probe_unique_code_key',
    });
  });

  it('answers an unexpected error with 500 and a correlation id that is in the log', async () => {
    const res = await request(http).get('/api/probe/crash');

    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    const requestId = res.headers['x-request-id'];
    expect(res.body).toMatchObject({ status: 500, code: 'internal_error', requestId });
    expect(JSON.stringify(res.body)).not.toContain('mail.ru');
    const logged = logs.lines.find(
      (l) => l.requestId === requestId && l.msg === 'unhandled error answered with 500',
    );
    expect(logged).toBeDefined();
    expect((logged?.err as { message: string }).message).toBe('cannot reach [email] at [phone]');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await request(http).get('/health/live').set('X-Request-Id', 'lb-1234.abc');
    const replaced = await request(http)
      .get('/health/live')
      .set('X-Request-Id', 'bad id\twith "quotes"');

    expect(kept.headers['x-request-id']).toBe('lb-1234.abc');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every response, error or not, an X-Request-Id and security headers', async () => {
    for (const path of ['/health/live', '/api/nowhere']) {
      const res = await request(http).get(path);
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toBeDefined();
    }
  });

  it('sends no CORS headers when CORS_ORIGINS is empty', async () => {
    const res = await request(http)
      .options('/api/probe/validate')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with CORS_ORIGINS set', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp({ env: { CORS_ORIGINS: 'https://admin.example' } });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('allows the listed origin and no other', async () => {
    const http = sut.app.getHttpServer() as App;
    const allowed = await request(http)
      .options('/health/live')
      .set('Origin', 'https://admin.example')
      .set('Access-Control-Request-Method', 'GET');
    const refused = await request(http)
      .options('/health/live')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');

    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
