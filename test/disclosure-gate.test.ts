import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { OutboxService } from '../src/mail/outbox.service.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createInquiry } from './support/inquiries.js';
import { SmtpSink } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// The gate's own promises (issue 18, item 1): family notices enter the outbox only through it,
// it is asked again when a letter is about to go, and what it holds back waits on the case and
// goes when the reason is gone — or is given up when the case has moved on.
describe('the disclosure gate', () => {
  const sink = new SmtpSink();
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
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
  const transition = async (id: string, to: string, reason = 'для коллег') =>
    post(caseworker, `/api/inquiries/${id}/transitions`, {
      to,
      version: await versionOf(id),
      reason,
    });
  const consent = (id: string, kind: string, decision: string) =>
    post(caseworker, `/api/inquiries/${id}/consents`, {
      kind,
      decision,
      interviewedOn: new Date().toISOString().slice(0, 10),
      interviewedBy: caseworker.user.id,
    });
  const letters = (id: string) =>
    sql<{ event_type: string; state: string }>(
      `SELECT event_type, state FROM outbox_message WHERE inquiry_id = $1
         AND recipient_kind = 'inquirer' ORDER BY created_at, event_type`,
      [id],
    );

  beforeAll(async () => {
    const port = await sink.start();
    sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
      },
    });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    prisonerId = await importThePrisoner(supervisor, 'AB-1800101');
  });

  beforeEach(async () => {
    await drain();
    sink.received.length = 0;
  });

  afterAll(async () => {
    await sut?.close();
    await sink.stop();
  });

  it('the outbox takes a family notice from no one but the gate, and the database wants its stamp', async () => {
    const { id } = await createInquiry(caseworker);
    const [{ inquirer_id: inquirerId }] = await sql<{ inquirer_id: string }>(
      `SELECT inquirer_id FROM inquiry WHERE id = $1`,
      [id],
    );
    const outbox = sut.app.get(OutboxService);
    const db = sut.app.get(DataSource);
    await expect(
      db.transaction((m) =>
        outbox.enqueueInTransaction(m, [
          {
            eventType: 'family.detention_confirmed',
            inquiryId: id,
            recipientKind: 'inquirer' as 'staff',
            recipientId: inquirerId,
            payload: {},
          },
        ]),
      ),
    ).rejects.toThrow('family notices go through the disclosure gate');
    await expect(
      db.transaction((m) =>
        outbox.enqueueFamilyInTransaction(m, {}, [
          {
            eventType: 'family.detention_confirmed',
            inquiryId: id,
            recipientId: inquirerId,
            payload: {},
            state: 'pending',
            reason: null,
            familyStage: 'detention_confirmed',
          },
        ]),
      ),
    ).rejects.toThrow('only the disclosure gate writes family notices');
    await expect(
      sql(
        `INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload)
         VALUES ('family.detention_confirmed', $1, 'inquirer', $2, '{}')`,
        [id, inquirerId],
      ),
    ).rejects.toThrow(/outbox_family_notice_gated/);
    expect((await letters(id)).map((l) => l.event_type)).toEqual(['family.acknowledgement']);
  });

  it('asks again when the letter is about to go: a consent withdrawn after it was queued holds it', async () => {
    const id = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    expect(
      (await letters(id)).filter((l) => l.event_type === 'family.detention_confirmed'),
    ).toEqual([{ event_type: 'family.detention_confirmed', state: 'pending' }]);
    expect((await consent(id, 'disclosure', 'withdrawn')).status).toBe(201);
    await drain();
    const byEvent = Object.fromEntries((await letters(id)).map((l) => [l.event_type, l.state]));
    expect(byEvent).toEqual({
      'family.acknowledgement': 'sent',
      'family.verification_outcome': 'held',
      'family.detention_confirmed': 'held',
    });
    expect(sink.received.map((m) => m.parsed.subject)).toEqual([
      expect.stringMatching(/Мы получили ваше обращение$/),
    ]);
    const held = await sql<{ actor: string; diff: Record<string, unknown> }>(
      `SELECT actor FROM audit_event WHERE inquiry_id = $1 AND action = 'notice.held'`,
      [id],
    );
    expect(held.map((h) => h.actor)).toEqual(['system:mail', 'system:mail']);
  });

  it('a consent can be withdrawn only while it stands', async () => {
    const id = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    const res = await consent(id, 'disclosure', 'withdrawn');
    expect(res.status).toBe(201); // it was given by the helper
    const again = await consent(id, 'disclosure', 'withdrawn');
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
  });

  it('gives up, rather than sends late, what no longer applies when the gate opens', async () => {
    // Confirmed without his consent: the letters wait; the family withdraws; then he agrees.
    const { id } = await createInquiry(caseworker);
    expect((await transition(id, 'gathering_information')).status).toBe(200);
    expect((await transition(id, 'verifying')).status).toBe(200);
    const match = await post(caseworker, `/api/inquiries/${id}/matches`, { prisonerId });
    await post(supervisor, `/api/matches/${match.body.id}/countersign`, { prisonerId });
    const verification = await post(caseworker, `/api/inquiries/${id}/verifications`, {
      documents: [{ kind: 'passport', number: '4510 123456' }],
      relationshipEvidence: 'свидетельство о рождении',
      answers: [],
      method: 'video_call',
      outcome: 'verified',
    });
    await post(supervisor, `/api/verifications/${verification.body.id}/countersign`, {
      outcome: 'verified',
    });
    expect((await transition(id, 'detention_confirmed')).status).toBe(200);
    expect((await transition(id, 'closed_withdrawn', 'семья отозвала')).status).toBe(200);
    expect((await consent(id, 'disclosure', 'given')).status).toBe(201);
    await drain();
    const byEvent = Object.fromEntries((await letters(id)).map((l) => [l.event_type, l.state]));
    expect(byEvent).toEqual({
      'family.acknowledgement': 'sent',
      // "A record was found", "he is held": to a case the family closed, no longer.
      'family.verification_outcome': 'suppressed',
      'family.detention_confirmed': 'suppressed',
      'family.case_closed': 'sent',
    });
    const dropped = await sql<{ action: string }>(
      `SELECT action FROM audit_event WHERE inquiry_id = $1 AND action LIKE 'notice.%' ORDER BY seq`,
      [id],
    );
    expect(dropped.map((d) => d.action)).toEqual([
      'notice.held',
      'notice.held',
      'notice.dropped',
      'notice.dropped',
    ]);
  });

  it('never writes the man’s name, the journey or the appointment on the status page before disclosure', async () => {
    const id = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    const issued = await post(caseworker, `/api/inquiries/${id}/status-links`);
    const page = async () => (await caseworker.agent.get(`/status/${issued.body.token}`)).text;
    expect(await page()).toContain('data-stage="detention_confirmed"');
    expect(await page()).toContain('Петров Алексей Сергеевич');
    expect((await consent(id, 'disclosure', 'withdrawn')).status).toBe(201);
    expect(await page()).toContain('data-stage="in_progress"');
    expect(await page()).not.toContain('Петров');
  });
});
