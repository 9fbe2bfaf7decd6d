import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { intakeSignature } from '../src/intake/intake.controller.js';
import { afterCommit } from '../src/metrics/after-commit.js';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// GET /metrics: Prometheus text, behind a bearer token; counters move only with committed work;
// the queue gauges are read from the database at scrape time.
const TOKEN = randomBytes(24).toString('hex');
const SECRET = randomBytes(24).toString('hex');

// The value of one series, e.g. value(text, 'homecoming_outbox_messages', { state: 'pending' }).
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return Number.NaN;
}

describe('metrics', () => {
  let sut: TestApp;
  let caseworker: SignedIn;
  const http = () => request(sut.app.getHttpServer() as App);
  const scrape = async () => {
    const res = await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeAll(async () => {
    sut = await createTestApp({
      env: { TOTP_REQUIRED_ROLES: 'none', METRICS_TOKEN: TOKEN, INTAKE_WEBHOOK_SECRET: SECRET },
    });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers only with the token, as Prometheus text, outside /api', async () => {
    const none = await http().get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    const wrong = await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`);
    expect(wrong.status).toBe(401);
    // A staff session is not a scraper's credential.
    expect((await caseworker.agent.get('/metrics')).status).toBe(401);

    const res = await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE homecoming_http_request_duration_seconds histogram');
    expect(res.text).toContain('homecoming_process_resident_memory_bytes');
    expect(value(res.text, 'homecoming_metrics_database_up')).toBe(1);
    expect(res.text).not.toContain(TOKEN);
  });

  it('counts committed transitions only, and HTTP requests by route template', async () => {
    const before = await scrape();
    const labels = { transition: 'triage', from: 'received', to: 'gathering_information' };
    const counted = (text: string) => value(text, 'homecoming_inquiry_transitions_total', labels);
    const created = await createInquiry(caseworker);
    const moved = await caseworker.agent
      .post(`/api/inquiries/${created.id}/transitions`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({ to: 'gathering_information', version: created.version });
    expect(moved.status).toBe(200);
    // The same move again at the old version: refused, rolled back, not counted.
    const stale = await caseworker.agent
      .post(`/api/inquiries/${created.id}/transitions`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({ to: 'gathering_information', version: created.version });
    expect(stale.status).toBe(409);

    const after = await scrape();
    expect((counted(after) || 0) - (counted(before) || 0)).toBe(1);
    const route = { route: '/api/inquiries/:id/transitions', method: 'POST' };
    const requests = (text: string, status: string) =>
      value(text, 'homecoming_http_request_duration_seconds_count', { ...route, status }) || 0;
    expect(requests(after, '200') - requests(before, '200')).toBe(1);
    expect(requests(after, '409') - requests(before, '409')).toBe(1);
    expect(after).not.toContain(created.id);
  });

  it('runs after-commit work at the outermost COMMIT, never after a ROLLBACK', async () => {
    const dataSource = sut.app.get(DataSource);
    const ran: string[] = [];
    await dataSource.transaction(async (manager) => {
      afterCommit(manager, () => ran.push('outer'));
      await manager.transaction(async (inner) => afterCommit(inner, () => ran.push('released')));
      await manager
        .transaction(async (inner) => {
          afterCommit(inner, () => ran.push('rolled back savepoint'));
          throw new Error('roll the savepoint back');
        })
        .catch(() => undefined);
      expect(ran).toEqual([]);
    });
    await dataSource
      .transaction(async (manager) => {
        afterCommit(manager, () => ran.push('rolled back'));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    afterCommit(dataSource.manager, () => ran.push('no transaction'));
    expect(ran).toEqual(['outer', 'released', 'no transaction']);
  });

  it('reads the outbox, quarantine and lag from the database, and counts intake outcomes', async () => {
    const sql = (text: string) => sut.app.get(DataSource).query(text);
    await sql(`UPDATE outbox_message SET available_at = now() - interval '90 seconds'
               WHERE state = 'pending'`);
    const pending = Number(
      (await sql(`SELECT count(*) FROM outbox_message WHERE state = 'pending'`))[0].count,
    );
    expect(pending).toBeGreaterThan(0);

    const before = await scrape();
    const body = Buffer.from('this is not an email at all\r\n');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const posted = await http()
      .post('/api/intake/email')
      .set('Content-Type', 'message/rfc822')
      .set('X-Homecoming-Timestamp', timestamp)
      .set('X-Homecoming-Signature', intakeSignature(SECRET, timestamp, body))
      .send(body);
    expect(posted.status).toBe(202);
    const outcome = (posted.body as { outcome: string }).outcome;
    const decided = (text: string) =>
      value(text, 'homecoming_intake_messages_total', { door: 'webhook', outcome }) || 0;
    await sql(`INSERT INTO inbound_email (source, raw, sha256, size_bytes, outcome, reason)
               VALUES ('webhook', '\\x00', 'metrics-quarantined', 1, 'quarantined', 'parse: test')`);

    const text = await scrape();
    expect(value(text, 'homecoming_outbox_messages', { state: 'pending' })).toBe(pending);
    expect(value(text, 'homecoming_outbox_lag_seconds')).toBeGreaterThanOrEqual(90);
    expect(value(text, 'homecoming_intake_quarantined_messages')).toBe(1);
    // No sender: it waits for a person.
    expect([outcome, value(text, 'homecoming_intake_review_messages')]).toEqual(['review', 1]);
    expect(decided(text) - decided(before)).toBe(1);
    expect(value(text, 'homecoming_intake_undecided_seconds')).toBe(0);
  });
});
