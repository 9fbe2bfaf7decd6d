import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource, type MigrationInterface } from 'typeorm';
import { migrations } from '../migrations/index.js';
import { ImapIntakeService } from '../src/intake/imap/imap-intake.service.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { AppConfig } from '../src/config/app-config.js';
import { ReadinessService } from '../src/health/readiness.service.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { withClient } from './support/test-database.js';

class NotYetApplied1700000000001 implements MigrationInterface {
  name = 'NotYetApplied1700000000001';
  async up(): Promise<void> {}
  async down(): Promise<void> {}
}

describe('health', () => {
  let sut: TestApp;
  let http: App;

  beforeAll(async () => {
    sut = await createTestApp();
    http = sut.app.getHttpServer() as App;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('live answers 200 while the process is up', async () => {
    const res = await request(http).get('/health/live');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('ready answers 200 when the database answers and no migration is pending', async () => {
    const res = await request(http).get('/health/ready');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, migrations: { status: 'up' } },
    });
  });

  it('ready answers 503 while the database refuses connections (the API too, with Retry-After), and 200 again after', async () => {
    const { adminUrl, name } = sut.database;
    await withClient(adminUrl, async (admin) => {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
    });

    const down = await request(http).get('/health/ready');
    // The API meanwhile: a 503 to retry, not a 500.
    const refused = await request(http)
      .post('/api/auth/login')
      .send({ email: 'someone@staff.test', password: 'whatever-it-is' });

    await withClient(adminUrl, (admin) =>
      admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`),
    );
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toMatchObject({
      code: 'service_unavailable',
      title: 'Database unavailable',
    });

    const up = await request(http).get('/health/ready');
    expect(up.status).toBe(200);
  });

  it('readiness reports a migration that has not been applied', async () => {
    const base = sut.app.get(DataSource);
    const dataSource = await new DataSource({
      ...base.options,
      migrations: [...migrations, NotYetApplied1700000000001],
    }).initialize();
    try {
      const readiness = new ReadinessService(
        new HealthIndicatorService(),
        dataSource,
        sut.app.get(ImapIntakeService),
        sut.app.get(MailSender),
        sut.app.get(AppConfig),
      );
      const results = await Promise.all(readiness.checks().map((check) => check()));

      expect(results).toContainEqual({
        migrations: { status: 'down', pending: ['NotYetApplied1700000000001'] },
      });
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('OpenAPI', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('serves the generated document and the UI', async () => {
    const http = sut.app.getHttpServer() as App;
    const doc = await request(http).get('/api/docs-json');
    const ui = await request(http).get('/api/docs');

    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.info.title).toBe('homecoming API');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready']),
    );
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });
});
