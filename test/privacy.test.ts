import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { IntakeService } from '../src/intake/intake.service.js';
import { Pseudonymiser } from '../src/privacy/pseudonymiser.js';
import { RetentionService } from '../src/privacy/retention.service.js';
import { runCli } from './support/cli.js';
import { createInquiry, inquiryBody } from './support/inquiries.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, LogCapture, type TestApp } from './support/test-app.js';
import { unzip } from './support/zip.js';

// Retention, subject access and erasure, against the real database: what goes, what stays (the
// reports' figures, the audit chains), what the dry run says, what a family's copy holds.
const NAME = 'Сидоренко Галина Петровна';
const PHONE = '+380 67 123 45 67';
const EMAIL = 'galina.sydorenko@mail.test';

describe('retention, subject access and erasure', () => {
  let sut: TestApp;
  // Both apps of a test write here (Nest's logger is one per process: the first app's).
  const logs = new LogCapture();
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, url: string, body: object) =>
    who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);

  // A family's case with personal data everywhere: the record, the man sought, a call with notes,
  // a callback, an email with an attachment, closed as withdrawn `daysAgo` days ago.
  // One person is one record (by name and a shared contact): another phone and email make
  // another family of the same name.
  async function endedCase(daysAgo: number, contacts = { phone: PHONE, email: EMAIL }) {
    const { phone, email } = contacts;
    const { id, version } = await createInquiry(caseworker, {
      inquirer: { ...inquiryBody().inquirer, fullName: NAME, phones: [phone], emails: [email] },
    });
    expect(
      (
        await post(caseworker, `/api/inquiries/${id}/calls`, {
          direction: 'inbound',
          occurredAt: new Date().toISOString(),
          durationSeconds: 120,
          outcome: 'answered',
          notes: 'Галина плакала, сын служил в Курске',
        })
      ).status,
    ).toBe(201);
    const raw = Buffer.from(
      [
        `From: ${email}`,
        'Subject: =?UTF-8?B?0J/RgNC+INGB0YvQvdCw?=',
        'Message-ID: <photo-' + id + '@mail.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Фото сына',
        '--b',
        'Content-Type: image/jpeg',
        'Content-Disposition: attachment; filename="son.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('\xff\xd8\xff\xe0 not really a jpeg', 'latin1').toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    await sql(
      `INSERT INTO inbound_email (source, raw, sha256, size_bytes, outcome, inquiry_id, from_address,
         subject, text_body, processed_at)
       VALUES ('webhook', $1, md5($2::text), $3, 'attached', $2::uuid, $4, 'Про сына', 'Фото сына', now())`,
      [raw, id, raw.length, email],
    );
    const closed = await post(caseworker, `/api/inquiries/${id}/transitions`, {
      to: 'closed_withdrawn',
      version,
      reason: `Галина сказала по телефону ${PHONE}, что сын нашёлся`,
    });
    expect(closed.status).toBe(200);
    await sql(
      `UPDATE inquiry_status_history SET entered_at = now() - $2 * interval '1 day'
       WHERE inquiry_id = $1 AND left_at IS NULL`,
      [id, daysAgo],
    );
    const [{ inquirer_id: inquirerId }] = await sql<{ inquirer_id: string }>(
      `SELECT inquirer_id FROM inquiry WHERE id = $1`,
      [id],
    );
    return { id, inquirerId };
  }

  const personalDataOf = (id: string) =>
    sql(
      `SELECT r.full_name, r.phones, r.emails, p.surname, c.notes AS call_notes,
         h.reason AS closing_reason, e.from_address, octet_length(e.raw) AS raw_bytes
       FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
       JOIN sought_person p ON p.inquiry_id = i.id
       JOIN call c ON c.inquiry_id = i.id
       JOIN inquiry_status_history h ON h.inquiry_id = i.id AND h.left_at IS NULL
       JOIN inbound_email e ON e.inquiry_id = i.id
       WHERE i.id = $1`,
      [id],
    );

  beforeAll(async () => {
    sut = await createTestApp({
      logDestination: logs,
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        RETENTION_DAYS: 'closed_withdrawn=30,handed_over=never',
        RETENTION_MODE: 'off',
      },
    });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('pseudonymises ended cases past their period — a dry run first — keeping the reports and the audit chains whole', async () => {
    const due = await endedCase(40);
    const recent = await endedCase(10, { phone: '+380 67 765 43 21', email: 'galina.s@mail.test' });
    const statusReport = async () =>
      (await supervisor.agent.get('/api/reports/status')).body as unknown;
    const reportBefore = await statusReport();
    const before = await personalDataOf(due.id);
    expect(before[0]).toMatchObject({ full_name: NAME, from_address: EMAIL });

    // The dry run: the CLI lists the case that is due, by reference, and changes nothing.
    const env = {
      DATABASE_URL: sut.database.url,
      DATA_ENCRYPTION_KEY: sut.config.security.dataEncryptionKey!.toString('base64'),
      RETENTION_DAYS: 'closed_withdrawn=30',
    };
    const dry = await runCli('retention', ['--dry-run'], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const [{ reference: dueRef }] = await sql<{ reference: string }>(
      `SELECT reference FROM inquiry WHERE id = $1`,
      [due.id],
    );
    const [{ reference: recentRef }] = await sql<{ reference: string }>(
      `SELECT reference FROM inquiry WHERE id = $1`,
      [recent.id],
    );
    expect(dry.stdout).toMatch(
      new RegExp(
        `${dueRef}  closed_withdrawn since \\d{4}-\\d\\d-\\d\\d \\(30 days\\): inquirer 1, sought_person 1, call 1`,
      ),
    );
    expect(dry.stdout).toContain('1 case(s) would be pseudonymised (dry run: nothing changed)');
    expect(dry.stdout).not.toContain(recentRef);
    for (const value of [NAME, 'Сидоренко', PHONE, EMAIL, 'Курске']) {
      expect(dry.stdout).not.toContain(value);
    }
    expect(await personalDataOf(due.id)).toEqual(before);

    // The run.
    const run = await sut.app.get(RetentionService).runOnce({ dryRun: false });
    expect(run.cases.map((c) => c.id)).toEqual([due.id]);
    const [after] = await personalDataOf(due.id);
    expect(after).toEqual({
      full_name: '-',
      phones: [],
      emails: [],
      surname: '-',
      call_notes: null,
      closing_reason: null,
      from_address: null,
      raw_bytes: 0,
    });
    expect((await personalDataOf(recent.id))[0]).toMatchObject({ full_name: NAME });
    // Again: nothing left to do.
    expect((await sut.app.get(RetentionService).runOnce({ dryRun: false })).cases).toEqual([]);

    // The reports count the same; the chains verify; the case's trail keeps what happened and
    // loses to whom; the record of the removal holds counts, never a value.
    expect(await statusReport()).toEqual(reportBefore);
    expect(await sut.app.get(AuditService).verify()).toMatchObject({ intact: true });
    const trail = await supervisor.agent.get(`/api/audit?inquiryId=${due.id}&pageSize=100`);
    expect(trail.status).toBe(200);
    const text = JSON.stringify(trail.body);
    for (const value of [NAME, PHONE, EMAIL, 'Курске', 'нашёлся'])
      expect(text).not.toContain(value);
    expect(text).toContain('"erased":true');
    const stored = await sql<{ diff: object }>(
      `SELECT diff FROM audit_event WHERE inquiry_id = $1 AND action = 'inquiry.pseudonymise'`,
      [due.id],
    );
    expect(stored).toHaveLength(1);
    expect(stored[0].diff).toMatchObject({
      status: { to: 'closed_withdrawn' },
      days: { to: 30 },
      removed: { to: expect.objectContaining({ inquirer: 1, call: 1, inbound_email: 1 }) },
    });
    // A reply naming the case opens a new one: nothing new is filed on the removed case.
    const intake = sut.app.get(IntakeService);
    const reply = await intake.receive(
      Buffer.from(
        [
          `From: ${EMAIL}`,
          'To: cases@homecoming.test',
          `Subject: Re: [${dueRef}] Мы получили ваше обращение`,
          `Message-ID: <reply-${due.id}@mail.test>`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Это снова Галина',
          '',
        ].join('\r\n'),
      ),
      'webhook',
    );
    expect(reply.outcome).toBe('opened');
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbound_email WHERE inquiry_id = $1 AND octet_length(raw) > 0`,
      [due.id],
    );
    expect(n).toBe(0);
    // The case stays, for the reports and the trail.
    const detail = await supervisor.agent.get(`/api/inquiries/${due.id}`);
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.body)).not.toContain(NAME);
  });

  it('leaves a case that is open again, or not yet due, though it was picked as due', async () => {
    const picked = await endedCase(40);
    const pseudonymiser = sut.app.get(Pseudonymiser);
    const why = { actor: { actor: 'system:retention' }, action: 'inquiry.pseudonymise' as const };
    // Not yet due under a longer period; then reopened after being picked: left alone.
    expect(await pseudonymiser.pseudonymise(picked.id, { ...why, days: 60 })).toBeUndefined();
    await sql(`UPDATE inquiry SET status = 'gathering_information' WHERE id = $1`, [picked.id]);
    expect(await pseudonymiser.pseudonymise(picked.id, { ...why, days: 30 })).toBeUndefined();
    expect((await personalDataOf(picked.id))[0]).toMatchObject({ full_name: NAME });
  });

  it('keeps the answers to retried creates 24 hours, and not past the case', async () => {
    const body = inquiryBody({
      inquirer: {
        ...inquiryBody().inquirer,
        fullName: NAME,
        phones: ['+380 67 000 00 01'],
        emails: ['retry.me@mail.test'],
      },
    });
    const created = await caseworker.agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', caseworker.csrf)
      .set('Idempotency-Key', 'retention-test-key-1')
      .send(body);
    expect(created.status).toBe(201);
    const { id, version } = created.body.inquiry as { id: string; version: number };
    const kept = () =>
      sql(`SELECT key FROM idempotency_key WHERE response_body::text LIKE '%' || $1 || '%'`, [id]);
    expect(await kept()).toHaveLength(1);
    // Purged after 24 hours whatever the mode: older ones go, this one stays.
    await sql(
      `INSERT INTO idempotency_key (scope, key, request_hash, created_at)
       VALUES ('test', 'old-key-00001', 'x', now() - interval '25 hours')`,
    );
    expect(await sut.app.get(RetentionService).purgeReplays()).toBe(1);
    expect(await kept()).toHaveLength(1);
    // The case pseudonymised: its stored answer goes with it.
    await post(caseworker, `/api/inquiries/${id}/transitions`, {
      to: 'closed_withdrawn',
      version,
      reason: 'Found',
    });
    await sql(
      `UPDATE inquiry_status_history SET entered_at = now() - interval '31 days'
       WHERE inquiry_id = $1 AND left_at IS NULL`,
      [id],
    );
    const run = await sut.app.get(RetentionService).runOnce({ dryRun: false });
    expect(run.cases.find((c) => c.id === id)?.removed.idempotency_key).toBe(1);
    expect(await kept()).toHaveLength(0);
  });

  it('runs on schedule where the role runs jobs; in dry-run mode it only logs, by reference', async () => {
    const due = await endedCase(45, { phone: '+380 67 111 22 33', email: 'g.sydorenko@mail.test' });
    const [{ reference }] = await sql<{ reference: string }>(
      `SELECT reference FROM inquiry WHERE id = $1`,
      [due.id],
    );
    const worker = await createTestApp({
      database: sut.database,
      logDestination: logs,
      env: {
        ROLE: 'worker',
        RETENTION_DAYS: 'closed_withdrawn=30',
        RETENTION_MODE: 'dry-run',
      },
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!logs.text().includes(reference) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.close();
    }
    const line = logs.lines.find((l) => String(l.msg).includes(reference));
    expect(line?.msg).toMatch(
      new RegExp(`^would pseudonymise ${reference} \\(closed_withdrawn since`),
    );
    for (const value of [NAME, PHONE, EMAIL]) expect(logs.text()).not.toContain(value);
    expect((await personalDataOf(due.id))[0]).toMatchObject({
      full_name: NAME,
      from_address: 'g.sydorenko@mail.test',
    });
  });

  it('gives a supervisor the person’s data as a zip, every case of theirs, audited', async () => {
    const family = { phone: '+380 67 222 33 44', email: 'galina.export@mail.test' };
    const first = await endedCase(2, family);
    const { id, inquirerId } = await endedCase(1, family);
    // One person: her second case joined her record (same name, same phone).
    expect(first.inquirerId).toBe(inquirerId);
    // A third party's letter filed on the case is not the family's to receive.
    const other = Buffer.from('From: lawyer@firm.test\r\nSubject: x\r\n\r\nОб их сыне\r\n');
    await sql(
      `INSERT INTO inbound_email (source, raw, sha256, size_bytes, outcome, inquiry_id, from_address,
         processed_at)
       VALUES ('webhook', $1, md5($2::text || 'other'), $3, 'attached', $2::uuid, 'lawyer@firm.test', now())`,
      [other, id, other.length],
    );
    const res = await supervisor.agent
      .get(`/api/inquirers/${inquirerId}/export`)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = await unzip(res.body as Buffer);
    const subject = JSON.parse(files.get('subject.json')!.toString('utf8')) as {
      inquirer: { fullName: string; phones: string[] };
      inquiries: {
        reference: string;
        stage: string;
        calls: { notes: string }[];
        emailsReceived: { file: string; attachments: string[] }[];
      }[];
    };
    expect(subject.inquirer).toMatchObject({ fullName: NAME, phones: ['+380672223344'] });
    const references = await sql<{ reference: string }>(
      `SELECT reference FROM inquiry WHERE id = ANY($1) ORDER BY created_at`,
      [[first.id, id]],
    );
    expect(subject.inquiries.map((c) => c.reference)).toEqual(references.map((r) => r.reference));
    const only = subject.inquiries[1];
    // The stage a family may be told, not the internal status.
    expect(only.stage).toBe('closed');
    expect(JSON.stringify(subject)).not.toContain('closed_withdrawn');
    // Staff notes stay out (a note may say what the family may not yet be told).
    expect(only.calls).toHaveLength(1);
    expect(JSON.stringify(subject)).not.toContain('Курске');
    expect(only.emailsReceived).toHaveLength(1);
    const [email] = only.emailsReceived;
    expect(files.get(email.file)!.toString('latin1')).toContain(
      `Message-ID: <photo-${id}@mail.test>`,
    );
    expect(email.attachments).toHaveLength(1);
    expect(files.get(email.attachments[0])!.toString('latin1')).toContain('not really a jpeg');
    const [event] = await sql<{ actor: string }>(
      `SELECT actor FROM audit_event WHERE action = 'inquirer.export' AND entity_id = $1`,
      [inquirerId],
    );
    expect(event.actor).toBe(supervisor.user.id);
    expect((await caseworker.agent.get(`/api/inquirers/${inquirerId}/export`)).status).toBe(403);
  });

  it('erases a family on request once every case has ended, not before', async () => {
    const { id, version } = await createInquiry(caseworker, {
      inquirer: {
        ...inquiryBody().inquirer,
        fullName: NAME,
        phones: ['+380 67 000 00 02'],
        emails: ['erase.me@mail.test'],
      },
    });
    const [{ inquirer_id: inquirerId, reference }] = await sql<{
      inquirer_id: string;
      reference: string;
    }>(`SELECT inquirer_id, reference FROM inquiry WHERE id = $1`, [id]);
    const reason = 'Requested by email of 3 May; identity confirmed by a call';

    const refused = await post(supervisor, `/api/inquirers/${inquirerId}/erasure`, { reason });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'erasure_not_allowed', openCases: [reference] });
    const short = await post(supervisor, `/api/inquirers/${inquirerId}/erasure`, { reason: 'x' });
    expect([short.status, short.body.errors?.[0]?.field]).toEqual([400, 'reason']);

    expect(
      (
        await post(caseworker, `/api/inquiries/${id}/transitions`, {
          to: 'closed_withdrawn',
          version,
          reason: 'The family asked us to stop',
        })
      ).status,
    ).toBe(200);
    const erased = await post(supervisor, `/api/inquirers/${inquirerId}/erasure`, { reason });
    expect(erased.status).toBe(200);
    expect(erased.body.cases).toEqual([expect.objectContaining({ id, reference })]);
    const [record] = await sql(`SELECT full_name, emails FROM inquirer WHERE id = $1`, [
      inquirerId,
    ]);
    expect(record).toEqual({ full_name: '-', emails: [] });
    const events = await sql<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_event
       WHERE (entity_type = 'inquirer' AND entity_id = $1) OR (inquiry_id = $2 AND action = 'inquiry.erase')
       ORDER BY occurred_at`,
      [inquirerId, id],
    );
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['inquiry.erase', supervisor.user.id],
      ['inquirer.erase', supervisor.user.id],
    ]);
    const http = request(sut.app.getHttpServer() as App);
    expect((await http.post(`/api/inquirers/${inquirerId}/erasure`).send({ reason })).status).toBe(
      401,
    );
  });
});
