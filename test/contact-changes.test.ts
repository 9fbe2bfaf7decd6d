import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createInquiry, inquiryBody } from './support/inquiries.js';
import { SmtpSink } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// A verified family's contacts (issue 18, item 8): what they had when the verification was
// countersigned is theirs; an address or number added later gets nothing until a supervisor
// other than the one who entered it approves it, or a new verification includes it; meanwhile
// it is a fraud signal, and the letters wait on the case.
describe('changing a verified family’s contacts', () => {
  const sink = new SmtpSink();
  let sut: TestApp;
  let intake: SignedIn;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let otherSupervisor: SignedIn;
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
  const edit = (who: SignedIn, id: string, inquirer: object) =>
    versionOf(id).then((version) =>
      who.agent
        .patch(`/api/inquiries/${id}`)
        .set('X-CSRF-Token', who.csrf)
        .send({ version, inquirer }),
    );
  const signals = async (id: string) =>
    ((await caseworker.agent.get(`/api/inquiries/${id}/signals`)).body as { kind: string }[]).map(
      (s) => s.kind,
    );
  const letter = (id: string, subject: string) =>
    post(caseworker, `/api/inquiries/${id}/emails`, { subject, body: 'Текст.' });
  const subjectsTo = (address: string) =>
    sink.received.filter((m) => m.to.includes(address)).map((m) => m.parsed.subject);
  // What the case's setup sent (acknowledgement, verification, detention) is out of the way.
  const settled = async (id: string) => {
    await drain();
    sink.received.length = 0;
    return id;
  };

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
    intake = await signedInStaff(sut, { roles: ['intake'] });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    otherSupervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    prisonerId = await importThePrisoner(supervisor, 'AB-1900001');
  });

  beforeEach(async () => {
    await drain();
    sink.received.length = 0;
  });

  afterAll(async () => {
    await sut?.close();
    await sink.stop();
  });

  it('before any verification, an edited address is the family’s at once: no change to approve', async () => {
    const id = await settled(
      (
        await createInquiry(caseworker, {
          inquirer: { ...inquiryBody().inquirer, fullName: 'Петрова Анна Ивановна' },
        })
      ).id,
    );
    const fresh = `early-${randomBytes(3).toString('hex')}@mail.test`;
    expect((await edit(intake, id, { emails: [fresh] })).status).toBe(200);
    expect((await caseworker.agent.get(`/api/inquiries/${id}/contact-changes`)).body).toEqual([]);
    expect(await signals(id)).not.toContain('contact_changed_after_verification');
    expect((await letter(id, 'Вопрос')).status).toBe(202);
    await drain();
    expect(subjectsTo(fresh)).toHaveLength(1);
  });

  it('trusts what the family had at the verification; a new address waits, the old one still gets mail', async () => {
    const id = await settled(
      await caseWithIdentitySettled(caseworker, supervisor, prisonerId, 'detention_confirmed', {
        fullName: 'Петрова Ирина Ивановна',
      }),
    );
    const [trusted] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM trusted_contact WHERE inquiry_id = $1`,
      [id],
    );
    expect(trusted.n).toBe(2); // the phone and the email on record then
    const fresh = `second-${randomBytes(3).toString('hex')}@mail.test`;
    expect((await edit(intake, id, { emails: ['olga.petrova@mail.ru', fresh] })).status).toBe(200);
    const changes = (await caseworker.agent.get(`/api/inquiries/${id}/contact-changes`)).body;
    expect(changes).toMatchObject([{ kind: 'email', value: fresh, state: 'pending' }]);
    expect(await signals(id)).toContain('contact_changed_after_verification');
    // The letter goes to the address that was theirs, not to the new one.
    expect((await letter(id, 'Вопрос')).status).toBe(202);
    await drain();
    expect(subjectsTo('olga.petrova@mail.ru')).toHaveLength(1);
    expect(subjectsTo(fresh)).toEqual([]);
    // On the timeline: the change waiting, by whom (values sealed, readable to case readers).
    const timeline = (await caseworker.agent.get(`/api/inquiries/${id}`)).body.timeline as {
      action: string;
      actor: string;
    }[];
    expect(timeline.find((e) => e.action === 'contact.change_pending')?.actor).toBe(intake.user.id);
  });

  it('a new phone number waits too; whoever entered a change cannot approve it; a rejected one stays untrusted', async () => {
    const id = await settled(
      await caseWithIdentitySettled(caseworker, supervisor, prisonerId, 'detention_confirmed', {
        fullName: 'Петрова Мария Ивановна',
      }),
    );
    expect(
      (await edit(supervisor, id, { phones: ['+7 916 123-45-67', '+7 903 555-00-11'] })).status,
    ).toBe(200);
    const [change] = (await caseworker.agent.get(`/api/inquiries/${id}/contact-changes`)).body;
    expect(change).toMatchObject({ kind: 'phone', value: '+79035550011', state: 'pending' });
    const own = await post(supervisor, `/api/contact-changes/${change.id}/approve`);
    expect([own.status, own.body.code]).toEqual([409, 'four_eyes_required']);
    expect((await post(caseworker, `/api/contact-changes/${change.id}/approve`)).status).toBe(403);
    const noReason = await post(otherSupervisor, `/api/contact-changes/${change.id}/reject`, {});
    expect([noReason.status, noReason.body.errors[0].field]).toEqual([400, 'reason']);
    const rejected = await post(otherSupervisor, `/api/contact-changes/${change.id}/reject`, {
      reason: 'Звонил не член семьи',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ state: 'rejected', decidedBy: otherSupervisor.user.id });
    expect(await signals(id)).not.toContain('contact_changed_after_verification');
    const again = await post(otherSupervisor, `/api/contact-changes/${change.id}/approve`);
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
    const [trusted] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM trusted_contact WHERE inquiry_id = $1 AND value = $2`,
      [id, '+79035550011'],
    );
    expect(trusted.n).toBe(0);
  });

  it('an address that replaced the family’s holds their letters until approved; a new verification settles what waits', async () => {
    const id = await settled(
      await caseWithIdentitySettled(caseworker, supervisor, prisonerId, 'detention_confirmed', {
        fullName: 'Петрова Нина Ивановна',
      }),
    );
    const fresh = `replaced-${randomBytes(3).toString('hex')}@mail.test`;
    expect((await edit(intake, id, { emails: [fresh] })).status).toBe(200);
    const sent = await letter(id, 'Первое');
    expect(sent.body.state).toBe('held');
    await drain();
    expect(subjectsTo(fresh)).toEqual([]);
    const held = await sql<{ last_error: string }>(
      `SELECT last_error FROM outbox_message WHERE id = $1 AND state = 'held'`,
      [sent.body.id],
    );
    expect(held).toEqual([
      {
        last_error: "the family's address changed after verification; a supervisor must approve it",
      },
    ]);
    // A new verification, countersigned, takes the family's contacts as they are now.
    const verification = await post(caseworker, `/api/inquiries/${id}/verifications`, {
      documents: [{ kind: 'passport', number: '4510 123456' }],
      relationshipEvidence: 'video call with the passport shown again',
      answers: [],
      method: 'video_call',
      outcome: 'verified',
    });
    expect(
      (
        await post(otherSupervisor, `/api/verifications/${verification.body.id}/countersign`, {
          outcome: 'verified',
        })
      ).status,
    ).toBe(200);
    const changes = (await caseworker.agent.get(`/api/inquiries/${id}/contact-changes`)).body;
    expect(changes).toMatchObject([{ value: fresh, state: 'superseded' }]);
    await drain();
    expect(subjectsTo(fresh)).toEqual([expect.stringMatching(/Первое$/)]);
  });
});
