import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createInquiry, inquiryBody } from './support/inquiries.js';
import { SmtpSink, type Received } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, LogCapture, type TestApp } from './support/test-app.js';
import { unzip } from './support/zip.js';

// The leaks a security review found (issue 18, "what a family is told"), one test each, written
// against the code before the disclosure gate: every one of them failed there.
const BASE = 'https://homecoming.test';

describe('what reaches a family, and who sees what (defects found in review)', () => {
  const sink = new SmtpSink();
  const logs = new LogCapture();
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let intake: SignedIn;
  let admin: SignedIn;
  let prisonerId: string;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, path: string, body: object = {}) =>
    who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
  const drain = async () => {
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
  };
  const versionOf = async (id: string) =>
    (await sql<{ version: number }>(`SELECT version FROM inquiry WHERE id = $1`, [id]))[0].version;
  const transition = async (id: string, to: string, reason?: string) => {
    const res = await post(caseworker, `/api/inquiries/${id}/transitions`, {
      to,
      version: await versionOf(id),
      ...(reason ? { reason } : {}),
    });
    expect([to, res.status]).toEqual([to, 200]);
  };
  const lettersTo = (address: string) => sink.received.filter((m) => m.to.includes(address));
  // A letter as the family reads it, with what differs between any two cases taken out.
  const normalised = (m: Received) =>
    [m.parsed.subject ?? '', m.parsed.text ?? '', String(m.parsed.html ?? '')]
      .join('\n')
      .replace(/HC-\d{4}-\d+/g, 'HC-…')
      .replace(/\/status\/[A-Za-z0-9_-]{43}/g, '/status/…');

  // Verifying, with a countersigned match and a countersigned successful verification.
  // Its own family: one person is one record, and the same name and phone would make two
  // families one.
  async function verifiedWithMatch(email: string, phone: string) {
    const { id } = await createInquiry(caseworker, {
      inquirer: {
        fullName: 'Петрова Ольга Ивановна',
        relationship: 'mother',
        phones: [phone],
        emails: [email],
        preferredLanguage: 'ru',
      },
    });
    await transition(id, 'gathering_information');
    await transition(id, 'verifying');
    const match = await post(caseworker, `/api/inquiries/${id}/matches`, { prisonerId });
    expect(match.status).toBe(201);
    const signed = await post(supervisor, `/api/matches/${match.body.id}/countersign`, {
      prisonerId,
    });
    expect(signed.status).toBe(200);
    const verification = await post(caseworker, `/api/inquiries/${id}/verifications`, {
      documents: [{ kind: 'passport', number: '4510 123456' }],
      relationshipEvidence: 'birth certificate of the son naming her as the mother',
      answers: [{ question: 'fathers_first_name', answer: 'Сергей' }],
      method: 'video_call',
      outcome: 'verified',
    });
    expect(verification.status).toBe(201);
    expect(
      (
        await post(supervisor, `/api/verifications/${verification.body.id}/countersign`, {
          outcome: 'verified',
        })
      ).status,
    ).toBe(200);
    return id;
  }

  beforeAll(async () => {
    const port = await sink.start();
    sut = await createTestApp({
      logDestination: logs,
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
        PUBLIC_BASE_URL: BASE,
      },
    });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    intake = await signedInStaff(sut, { roles: ['intake'] });
    admin = await signedInStaff(sut, { roles: ['admin'] });
    prisonerId = await importThePrisoner(supervisor, 'AB-1800001');
  });

  beforeEach(async () => {
    await drain();
    sink.received.length = 0;
  });

  afterAll(async () => {
    await sut?.close();
    await sink.stop();
  });

  it('1. confirming detention without his consent tells the family nothing, and a refusal closes like "no information"', async () => {
    const held = `held-${randomBytes(3).toString('hex')}@mail.test`;
    const notFound = `notfound-${randomBytes(3).toString('hex')}@mail.test`;
    const refused = await verifiedWithMatch(held, '+7 916 100-00-01');
    await transition(refused, 'detention_confirmed');
    await drain();
    // Only the acknowledgement: no "we found a matching record".
    expect(lettersTo(held).map((m) => m.parsed.subject)).toEqual([
      expect.stringMatching(/Мы получили ваше обращение$/),
    ]);
    const refusal = await post(caseworker, `/api/inquiries/${refused}/consents`, {
      kind: 'disclosure',
      decision: 'refused',
      interviewedOn: new Date().toISOString().slice(0, 10),
      interviewedBy: caseworker.user.id,
    });
    expect(refusal.status).toBe(201);
    await transition(refused, 'closed_declined_by_prisoner', 'he refused');

    const { id: other } = await createInquiry(caseworker, {
      inquirer: {
        fullName: 'Петрова Ольга Ивановна',
        relationship: 'mother',
        phones: ['+7 916 100-00-02'],
        emails: [notFound],
        preferredLanguage: 'ru',
      },
    });
    await drain();
    await transition(other, 'closed_not_found', 'not in the registry');
    await drain();

    const a = lettersTo(held).map(normalised);
    const b = lettersTo(notFound).map(normalised);
    expect(a).toHaveLength(2);
    expect(a).toEqual(b);
  });

  it('2. an intake operator sees in the timeline nothing of what their routes refuse', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    expect((await intake.agent.get(`/api/inquiries/${id}/consents`)).status).toBe(403);
    const detail = await intake.agent.get(`/api/inquiries/${id}`);
    expect(detail.status).toBe(200);
    const actions = (detail.body.timeline as { action: string }[]).map((e) => e.action);
    expect(
      actions.filter((a) => /^(consent|verification|match|travel|handover)\./.test(a)),
    ).toEqual([]);
    // The caseworker, who may read them, does see them.
    const full = await caseworker.agent.get(`/api/inquiries/${id}`);
    expect((full.body.timeline as { action: string }[]).map((e) => e.action)).toEqual(
      expect.arrayContaining(['consent.recorded', 'verification.recorded', 'match.proposed']),
    );
  });

  it('3. the audit log shows a case’s personal values only to roles that may read the case, and reading it is audited', async () => {
    // A family of its own: the new number goes on their record only.
    const { id } = await createInquiry(caseworker, {
      inquirer: { ...inquiryBody().inquirer, phones: ['+7 916 300-00-03'], emails: [] },
    });
    const edit = await caseworker.agent
      .patch(`/api/inquiries/${id}`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        version: await versionOf(id),
        inquirer: { phones: ['+7 916 765-43-21'], notes: 'Звонить после 18:00' },
      });
    expect(edit.status).toBe(200);
    const asAdmin = await admin.agent.get('/api/audit').query({ inquiryId: id });
    expect(asAdmin.status).toBe(200);
    expect(JSON.stringify(asAdmin.body)).not.toMatch(/79167654321|после 18:00/);
    expect(JSON.stringify(asAdmin.body)).toContain('inquiry.update');
    const asAuditor = await (
      await signedInStaff(sut, { roles: ['auditor'] })
    ).agent
      .get('/api/audit')
      .query({ inquiryId: id });
    expect(JSON.stringify(asAuditor.body)).toMatch(/79167654321/);
    const [{ n: reads }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.read' AND actor = $1`,
      [admin.user.id],
    );
    expect(reads).toBe(1);
    // Reading calls, callbacks, verifications and matches, and a name search, leave a trace.
    const reader = await signedInStaff(sut, { roles: ['caseworker'] });
    for (const what of ['calls', 'callbacks', 'verifications', 'matches']) {
      expect((await reader.agent.get(`/api/inquiries/${id}/${what}`)).status).toBe(200);
    }
    expect((await reader.agent.get('/api/inquiries').query({ q: 'Петров' })).status).toBe(200);
    const actions = await sql<{ action: string }>(
      `SELECT action FROM audit_event
       WHERE actor = $1 AND (action LIKE '%.read' OR action = 'inquiry.search')
       ORDER BY occurred_at, seq`,
      [reader.user.id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'call.read',
      'callback.read',
      'verification.read',
      'match.read',
      'inquiry.search',
    ]);
  });

  it('4. a status link’s token never reaches the log', async () => {
    const { id } = await createInquiry(caseworker);
    const issued = await post(caseworker, `/api/inquiries/${id}/status-links`);
    expect(issued.status).toBe(201);
    const token = issued.body.token as string;
    expect((await caseworker.agent.get(`/status/${token}`)).status).toBe(200);
    expect(logs.text()).not.toContain(token);
    expect(logs.text()).not.toContain(token.slice(0, 20));
  });

  it('5. the subject-access export holds the companions’ document numbers by their last four only', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const plan = await caseworker.agent
      .put(`/api/inquiries/${id}/travel-plan`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        version: 0,
        originCity: 'Тамбов',
        originCountry: 'RU',
        plannedEntryIntoPoland: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
        crossingPointId: 'medyka-shehyni',
        plannedCrossingAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        escortName: 'Остап Гнатюк',
        escortPhone: '+380 67 000 00 01',
        travellers: [
          {
            isInquirer: true,
            fullName: 'Петрова Ольга Ивановна',
            documentKind: 'passport',
            documentNumber: '75 1234567',
          },
          {
            isInquirer: false,
            fullName: 'Петров Сергей',
            relationship: 'father',
            documentKind: 'passport',
            documentNumber: '75 7654321',
          },
        ],
      });
    expect(plan.status).toBe(200);
    const [{ inquirer_id: inquirerId }] = await sql<{ inquirer_id: string }>(
      `SELECT inquirer_id FROM inquiry WHERE id = $1`,
      [id],
    );
    const res = await supervisor.agent
      .get(`/api/inquirers/${inquirerId}/export`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const subject = (await unzip(res.body as Buffer)).get('subject.json')!.toString('utf8');
    expect(subject).not.toContain('7654321');
    expect(subject).toContain('4321');
    expect(subject).toContain('75 1234567');
  });

  it('6. countersigning a match shows the proposed man beside the sought one, and must name him', async () => {
    const { id } = await createInquiry(caseworker);
    await transition(id, 'gathering_information');
    await transition(id, 'verifying');
    const match = await post(caseworker, `/api/inquiries/${id}/matches`, { prisonerId });
    const review = await supervisor.agent.get(`/api/matches/${match.body.id}/review`);
    expect(review.status).toBe(200);
    expect(review.body.sought).toMatchObject({ surname: 'Петров', givenName: 'Алексей' });
    expect(review.body.prisoner).toMatchObject({
      surname: 'Петров',
      surnameLatin: 'Petrov',
      personalNumberLast4: '0001',
    });
    const unnamed = await post(supervisor, `/api/matches/${match.body.id}/countersign`, {});
    expect(unnamed.status).toBe(400);
    const queue = await supervisor.agent.get('/api/identity/awaiting-countersignature');
    expect(queue.body.find((w: { id: string }) => w.id === match.body.id)).toMatchObject({
      soughtPersonName: 'Петров Алексей Сергеевич',
      prisonerName: 'Петров Алексей Сергеевич',
    });
  });

  it('7. a verified family’s new email gets nothing until a supervisor approves it, and a fraud signal is raised', async () => {
    const id = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    await drain();
    sink.received.length = 0;
    const hijacker = `new-${randomBytes(3).toString('hex')}@mail.test`;
    const edit = await intake.agent
      .patch(`/api/inquiries/${id}`)
      .set('X-CSRF-Token', intake.csrf)
      .send({ version: await versionOf(id), inquirer: { emails: [hijacker] } });
    expect(edit.status).toBe(200);
    const signals = await caseworker.agent.get(`/api/inquiries/${id}/signals`);
    expect(signals.body.map((s: { kind: string }) => s.kind)).toContain(
      'contact_changed_after_verification',
    );
    const letter = await post(caseworker, `/api/inquiries/${id}/emails`, {
      subject: 'Ваш сын',
      body: 'Он жив и ждёт вас.',
    });
    expect(letter.status).toBe(202);
    await drain();
    expect(lettersTo(hijacker)).toEqual([]);
    const [row] = await sql<{ state: string }>(`SELECT state FROM outbox_message WHERE id = $1`, [
      letter.body.id,
    ]);
    expect(row.state).toBe('held');

    // A supervisor (not the one who changed it) approves the change: the letter goes.
    const changes = await supervisor.agent.get(`/api/inquiries/${id}/contact-changes`);
    expect(changes.body).toHaveLength(1);
    const approved = await post(supervisor, `/api/contact-changes/${changes.body[0].id}/approve`);
    expect(approved.status).toBe(200);
    await drain();
    expect(lettersTo(hijacker).map((m) => m.parsed.subject)).toEqual([
      expect.stringMatching(/Ваш сын$/),
    ]);
  });
});
