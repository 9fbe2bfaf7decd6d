import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { STATUS_VIEWS_PER_MINUTE } from '../src/status/status-rate-limit.middleware.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createInquiry } from './support/inquiries.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

const BASE = 'https://homecoming.test';

// The family's status page: the link that comes with the acknowledgement, what the page shows at
// each stage (nothing about detention before verification and his consent), and the token's
// checks: wrong, expired, revoked and replaced links all get the same 404; views are audited and
// rate limited.
describe('the status page for families', () => {
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let prisonerId: string;
  let mailDir: string;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const page = (token: string) => caseworker.agent.get(`/status/${token}`);
  const stageOf = (html: string) => /data-stage="([a-z_]+)"/.exec(html)?.[1];
  const issue = async (id: string) => {
    const res = await caseworker.agent
      .post(`/api/inquiries/${id}/status-links`)
      .set('X-CSRF-Token', caseworker.csrf);
    expect(res.status).toBe(201);
    return res.body as { token: string; url: string };
  };

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-status-mail-'));
    sut = await createTestApp({
      env: { TOTP_REQUIRED_ROLES: 'none', MAIL_DIR: mailDir, PUBLIC_BASE_URL: `${BASE}/` },
    });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    prisonerId = await importThePrisoner(supervisor, 'AB-5000001');
  });

  afterAll(async () => {
    await sut?.close();
    await rm(mailDir, { recursive: true, force: true });
  });

  it('sends the link with the acknowledgement; the page says the inquiry is received, in her language', async () => {
    const { reference } = await createInquiry(caseworker);
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const [file] = await readdir(mailDir);
    const mail = await simpleParser(await readFile(path.join(mailDir, file)));
    const url = new RegExp(`${BASE}/status/([A-Za-z0-9_-]{43})`).exec(mail.text ?? '');
    expect(url).not.toBeNull();
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM status_link WHERE token_sha256 = encode(sha256($1::bytea), 'hex')`,
      [url![1]],
    );
    expect(n).toBe(1);
    const res = await page(url![1]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<html lang="ru">');
    expect(res.text).toContain(reference);
    expect(stageOf(res.text)).toBe('received');
  });

  // What the page says, by the case's status, when disclosure is allowed and when it is not.
  const STAGES: [string, string, string][] = [
    ['gathering_information', 'in_progress', 'in_progress'],
    ['verifying', 'in_progress', 'in_progress'],
    ['detention_confirmed', 'detention_confirmed', 'in_progress'],
    ['travel_planning', 'travel_planning', 'in_progress'],
    ['in_transit', 'in_transit', 'in_progress'],
    ['handover_scheduled', 'handover_scheduled', 'in_progress'],
    ['handed_over', 'handed_over', 'in_progress'],
    ['on_hold', 'in_progress', 'in_progress'],
    ['closed_declined_by_prisoner', 'closed', 'closed'],
  ];

  it('shows at each stage only what may be disclosed', async () => {
    const disclosed = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    const refused = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    const refusal = await caseworker.agent
      .post(`/api/inquiries/${refused}/consents`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        kind: 'disclosure',
        decision: 'refused',
        interviewedOn: new Date().toISOString().slice(0, 10),
        interviewedBy: caseworker.user.id,
      });
    expect(refusal.status).toBe(201);
    const tokens = {
      disclosed: (await issue(disclosed)).token,
      refused: (await issue(refused)).token,
    };
    const seen: string[] = [];
    const wanted: string[] = [];
    for (const [status, whenDisclosed, whenNot] of STAGES) {
      await sql(`UPDATE inquiry SET status = $2 WHERE id = ANY($1)`, [
        [disclosed, refused],
        status,
      ]);
      const a = await page(tokens.disclosed);
      const b = await page(tokens.refused);
      seen.push(`${status}: ${stageOf(a.text)} / ${stageOf(b.text)}`);
      wanted.push(`${status}: ${whenDisclosed} / ${whenNot}`);
      // Before disclosure, not a word about him or where the case stands with him.
      expect(b.text).not.toMatch(/Петров Алексей|удерживают|Передача|Пункт пропуска/);
    }
    expect(seen).toEqual(wanted);
  });

  it('shows the journey and the handover once the family may know', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const plan = await caseworker.agent
      .put(`/api/inquiries/${id}/travel-plan`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        version: 0,
        originCity: 'Тамбов',
        plannedEntryIntoPoland: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
        crossingPointId: 'medyka-shehyni',
        plannedCrossingAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        escortName: 'Остап Гнатюк',
        escortPhone: '+380 67 000 00 01',
        travellers: [
          {
            isInquirer: true,
            fullName: 'Петрова Ольга',
            documentKind: 'passport',
            documentNumber: '75 1234567',
          },
        ],
      });
    expect(plan.status).toBe(200);
    const { token } = await issue(id);
    const res = await page(token);
    expect(stageOf(res.text)).toBe('travel_planning');
    expect(res.text).toContain('Медыка–Шегини');
    expect(res.text).toContain('Остап Гнатюк, +380 67 000 00 01');
    expect(res.text).toContain('Петров Алексей Сергеевич');
  });

  it('answers the same 404 for a wrong, malformed, expired, revoked or replaced link; audits every view', async () => {
    const { id } = await createInquiry(caseworker);
    const first = await issue(id);
    const second = await issue(id);
    expect(second.url).toBe(`${BASE}/status/${second.token}`);
    const refusals = [
      'A'.repeat(43),
      'not-a-token',
      first.token, // replaced by the second
    ];
    const answers = [];
    for (const token of refusals) {
      const res = await page(token);
      answers.push([res.status, res.body.code]);
    }
    expect((await page(second.token)).status).toBe(200);
    await sql(
      `UPDATE status_link SET expires_at = now() - interval '1 second' WHERE inquiry_id = $1 AND revoked_at IS NULL`,
      [id],
    );
    let res = await page(second.token);
    answers.push([res.status, res.body.code]);
    const third = await issue(id);
    expect((await page(third.token)).status).toBe(200);
    const revoked = await caseworker.agent
      .post(`/api/inquiries/${id}/status-links/revoke`)
      .set('X-CSRF-Token', caseworker.csrf);
    expect(revoked.body).toEqual({ revoked: 1 });
    res = await page(third.token);
    answers.push([res.status, res.body.code]);
    expect(answers).toEqual(Array(5).fill([404, 'not_found']));
    const listed = await caseworker.agent.get(`/api/inquiries/${id}/status-links`);
    expect(listed.body).toHaveLength(3);
    expect(JSON.stringify(listed.body)).not.toContain(third.token);
    const [{ views }] = await sql<{ views: number }>(
      `SELECT count(*)::int AS views FROM audit_event WHERE action = 'status_link.viewed' AND inquiry_id = $1`,
      [id],
    );
    expect(views).toBe(2);
  });

  it(`limits views to ${STATUS_VIEWS_PER_MINUTE} a minute from one address`, async () => {
    const statuses = [];
    for (let i = 0; i <= STATUS_VIEWS_PER_MINUTE; i += 1)
      statuses.push((await page('B'.repeat(43))).status);
    expect(statuses.at(-1)).toBe(429);
  });
});
