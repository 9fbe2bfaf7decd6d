import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { FamilyChannels } from '../src/mail/family-channels.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { inquiryBody } from './support/inquiries.js';
import { SmtpSink } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Notices go on the family's preferred channel, through the disclosure gate (issue 20): a family
// who hear from us by phone get each notice as a call for staff to make (a callback on the case,
// with the words to say in their language), never a letter; the choice is theirs to change.
describe('family notices on the preferred channel', () => {
  const sink = new SmtpSink();
  let sut: TestApp;
  let caseworker: SignedIn;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (url: string, body: object = {}) =>
    caseworker.agent.post(url).set('X-CSRF-Token', caseworker.csrf).send(body);
  const unique = () => randomBytes(4).toString('hex');
  const phone = () => `+38067${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const drain = async () => {
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
  };
  const open = async (inquirer: Record<string, unknown>) => {
    const base = inquiryBody();
    const res = await post('/api/inquiries', {
      ...base,
      inquirer: { ...base.inquirer, ...inquirer },
    });
    expect(res.status).toBe(201);
    return res.body as {
      inquiry: { id: string; reference: string; version: number };
      inquirer: { id: string; preferredChannel: string };
    };
  };
  const noticesOf = (inquiryId: string) =>
    sql<{
      id: string;
      event_type: string;
      state: string;
      channel: string | null;
      last_error: string | null;
    }>(
      `SELECT id, event_type, state, channel, last_error FROM outbox_message
       WHERE inquiry_id = $1 AND recipient_kind = 'inquirer' ORDER BY created_at`,
      [inquiryId],
    );
  const callbacksOf = (inquiryId: string) =>
    sql<{
      notice_id: string | null;
      phone: string;
      notes: string;
      state: string;
      created_by: string | null;
    }>(
      `SELECT notice_id, phone, notes, state, created_by FROM callback
       WHERE inquiry_id = $1 ORDER BY created_at`,
      [inquiryId],
    );
  const lettersTo = (address: string) => sink.received.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    const port = await sink.start();
    sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
        MAIL_FROM: 'homecoming <cases@homecoming.test>',
      },
    });
    caseworker = await signedInStaff(sut, { roles: ['intake', 'caseworker'] });
  });

  afterAll(async () => {
    await sut?.close();
    await sink.stop();
  });

  it('tells a family who hear by phone through a call for staff to make, never a letter', async () => {
    const number = phone();
    const email = `vira.${unique()}@mail.test`;
    const { inquiry, inquirer } = await open({
      fullName: 'Мельник Віра Іванівна',
      phones: [number],
      emails: [email],
      preferredLanguage: 'ru',
      preferredChannel: 'phone',
    });
    expect(inquirer.preferredChannel).toBe('phone');
    await drain();
    const [ack] = await noticesOf(inquiry.id);
    expect(ack).toMatchObject({
      event_type: 'family.acknowledgement',
      state: 'sent',
      channel: 'phone',
      last_error: null,
    });
    expect(lettersTo(email)).toEqual([]);
    const [call] = await callbacksOf(inquiry.id);
    expect(call).toMatchObject({
      notice_id: ack.id,
      phone: number,
      state: 'open',
      created_by: null,
    });
    // The words to say, in the family's language, with the case's reference.
    expect(call.notes.split('\n')[0]).toBe(`[${inquiry.reference}] Мы получили ваше обращение`);
    expect(call.notes).toContain(`под номером ${inquiry.reference}`);
    // Worded for a call: nothing about replying to a letter, and no status link to read out.
    expect(call.notes).toContain(
      'Если вы хотите что-то дополнить или спросить, скажите об этом сейчас',
    );
    expect(call.notes).toContain('запишите его и называйте, когда звоните нам');
    expect(call.notes).not.toMatch(/письм|\/status\//);
    expect(await sql(`SELECT 1 FROM status_link WHERE inquiry_id = $1`, [inquiry.id])).toEqual([]);
    // On the case, by the service.
    const timeline = (await caseworker.agent.get(`/api/inquiries/${inquiry.id}`)).body as {
      timeline: { action: string; actor: string }[];
    };
    expect(
      timeline.timeline
        .filter((t) => ['callback.schedule', 'notice.by_phone', 'mail.sent'].includes(t.action))
        .map((t) => [t.action, t.actor])
        .sort(),
    ).toEqual([
      ['callback.schedule', 'system:mail'],
      ['notice.by_phone', 'system:mail'],
    ]);
    // In the person's conversation, as told by phone.
    const conversation = (await caseworker.agent.get(`/api/inquirers/${inquirer.id}/conversation`))
      .body as { items: { channel: string; direction: string; event: string | null }[] };
    expect(conversation.items.filter((m) => m.event === 'family.acknowledgement')).toMatchObject([
      { channel: 'phone', direction: 'outbound' },
    ]);
    expect(await sut.app.get(AuditService).verify()).toMatchObject({ intact: true });
  });

  it('makes one call per notice, however often the channel is asked', async () => {
    const number = phone();
    const { inquiry } = await open({ fullName: 'Ткаченко Ніна', phones: [number], emails: [] });
    const notice = {
      noticeId: (await noticesOf(inquiry.id))[0].id,
      inquiryId: inquiry.id,
      to: number,
      subject: 'Мы получили ваше обращение',
      text: 'Текст',
    };
    await sut.app.get(FamilyChannels).deliver('phone', notice);
    await sut.app.get(FamilyChannels).deliver('phone', notice);
    expect((await callbacksOf(inquiry.id)).map((c) => c.notice_id)).toEqual([notice.noticeId]);
  });

  it('drops a notice for a family who chose the phone but gave no number', async () => {
    const email = `olha.${unique()}@mail.test`;
    const { inquiry } = await open({
      fullName: 'Бондар Ольга',
      phones: [],
      emails: [email],
      preferredChannel: 'phone',
    });
    await drain();
    expect(await noticesOf(inquiry.id)).toMatchObject([
      {
        event_type: 'family.acknowledgement',
        state: 'suppressed',
        channel: null,
        last_error: 'the family has no address on the channel they chose',
      },
    ]);
    expect(await callbacksOf(inquiry.id)).toEqual([]);
    expect(lettersTo(email)).toEqual([]);
  });

  it('does not call a family to say that we will call them', async () => {
    const number = phone();
    const { inquiry } = await open({
      fullName: 'Шевчук Галина',
      phones: [number],
      emails: [],
      preferredChannel: 'phone',
    });
    await drain();
    const res = await post(`/api/inquiries/${inquiry.id}/callbacks`, {
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(201);
    await drain();
    expect((await noticesOf(inquiry.id)).map((n) => [n.event_type, n.state, n.last_error])).toEqual(
      [
        ['family.acknowledgement', 'sent', null],
        [
          'family.callback_scheduled',
          'suppressed',
          'the family hears by phone: the call itself tells them when we call',
        ],
      ],
    );
    // The acknowledgement's call and the caseworker's promise; nothing for the promise itself.
    expect((await callbacksOf(inquiry.id)).map((c) => c.created_by === null)).toEqual([
      true,
      false,
    ]);
  });

  it('sends letters again once the family chooses email', async () => {
    const number = phone();
    const email = `iryna.${unique()}@mail.test`;
    const { inquiry } = await open({
      fullName: 'Кравець Ірина',
      phones: [number],
      emails: [email],
      preferredChannel: 'phone',
    });
    await drain();
    const edited = await caseworker.agent
      .patch(`/api/inquiries/${inquiry.id}`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({ version: inquiry.version, inquirer: { preferredChannel: 'email' } });
    expect(edited.status).toBe(200);
    const res = await post(`/api/inquiries/${inquiry.id}/callbacks`, {
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(201);
    await drain();
    expect((await noticesOf(inquiry.id)).map((n) => [n.event_type, n.channel])).toEqual([
      ['family.acknowledgement', 'phone'],
      ['family.callback_scheduled', 'email'],
    ]);
    expect(lettersTo(email).map((m) => m.parsed.subject)).toEqual([
      `[${inquiry.reference}] Мы вам позвоним`,
    ]);
  });

  it('refuses a channel it does not know, naming the field', async () => {
    const base = inquiryBody();
    const res = await post('/api/inquiries', {
      ...base,
      inquirer: { ...base.inquirer, preferredChannel: 'pigeon' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toMatchObject([{ field: 'inquirer.preferredChannel' }]);
  });
});
