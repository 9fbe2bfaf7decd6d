import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { AppConfig } from '../src/config/app-config.js';
import { InquiryTransitionService } from '../src/inquiries/inquiry-transition.service.js';
import { DisclosureGate } from '../src/disclosure/disclosure.gate.js';
import { MAIL_EVENTS, MAIL_LANGUAGES, MailRenderer } from '../src/mail/mail-renderer.js';
import { StatusLinksService } from '../src/status/status-links.service.js';
import { Metrics } from '../src/metrics/metrics.service.js';
import { FamilyChannels } from '../src/mail/family-channels.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { OverdueCallbackNotifier } from '../src/contacts/overdue-callback.notifier.js';
import { createInquiry } from './support/inquiries.js';
import { SmtpSink } from './support/smtp-sink.js';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { LogCapture, createTestApp, type TestApp } from './support/test-app.js';

// Notification mail end to end: outbox rows written by the API, claimed and sent by MailSender
// to a real SMTP server on 127.0.0.1, parsed back with mailparser.
describe('mail out', () => {
  const sink = new SmtpSink();
  const logs = new LogCapture();
  let sut: TestApp;
  let sender: MailSender;
  let staff: SignedIn;
  let supervisor: SignedIn;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, path: string, body: unknown = {}) =>
    who.agent
      .post(path)
      .set('X-CSRF-Token', who.csrf)
      .send(body as object);

  // Drains until nothing is due (retries are due within milliseconds here), or 10 s pass.
  const drain = async (worker: MailSender = sender) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const handled = await worker.drainOnce();
      const [{ due }] = await sql<{ due: number }>(
        `SELECT count(*)::int AS due FROM outbox_message WHERE state IN ('pending', 'sending')
           AND coalesce(lease_until, available_at) <= now() + interval '1 second'`,
      );
      if (handled === 0 && due === 0) return;
      if (Date.now() > deadline) throw new Error('the outbox did not drain in 10 s');
      if (handled === 0) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const outboxOf = (inquiryId: string) =>
    sql<{ id: string; event_type: string; state: string; attempts: number; message_id: string }>(
      `SELECT id, event_type, state, attempts, message_id, last_error FROM outbox_message
       WHERE inquiry_id = $1 ORDER BY created_at`,
      [inquiryId],
    );

  beforeAll(async () => {
    const port = await sink.start();
    sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
        MAIL_FROM: 'homecoming <cases@homecoming.test>',
        MAIL_REPLY_TO: 'intake@homecoming.test',
        MAIL_RETRY_BASE_MS: '10',
        MAIL_MAX_ATTEMPTS: '4',
      },
      logDestination: logs,
    });
    sender = sut.app.get(MailSender);
    staff = await signedInStaff(sut, {
      roles: ['intake', 'caseworker'],
      displayName: 'Олена Коваль',
    });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
  });

  beforeEach(async () => {
    await drain();
    sink.received.length = 0;
    sink.attempts = 0;
    sink.reply = () => undefined;
  });

  afterAll(async () => {
    await sut.close();
    await sink.stop();
  });

  it('sends the acknowledgement with our Message-ID, the reference in the subject, Reply-To, Auto-Submitted and the language; the next message threads under it', async () => {
    const { id, reference } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Петрова Ольга Ивановна',
        relationship: 'mother',
        phones: ['+7 916 123-45-67'],
        emails: ['olga.petrova@mail.test'],
        preferredLanguage: 'ru',
      },
    });
    await drain();

    expect(sink.received).toHaveLength(1);
    const [ack] = sink.received;
    const [row] = await outboxOf(id);
    expect(row).toMatchObject({ event_type: 'family.acknowledgement', state: 'sent', attempts: 1 });
    expect(row.message_id).toBe(`<${row.id}@homecoming.test>`);
    expect(ack.to).toEqual(['olga.petrova@mail.test']);
    expect(ack.parsed.messageId).toBe(row.message_id);
    expect(ack.parsed.subject).toBe(`[${reference}] Мы получили ваше обращение`);
    expect(ack.parsed.replyTo?.text).toBe('intake@homecoming.test');
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(ack.parsed.headers.get('content-language')).toBe('ru');
    expect(ack.parsed.text).toContain('Здравствуйте, Петрова Ольга Ивановна!');
    expect(ack.parsed.html).toContain('<html lang="ru">');

    const due = new Date(Date.now() + 3 * 3_600_000).toISOString();
    expect((await post(staff, `/api/inquiries/${id}/callbacks`, { dueAt: due })).status).toBe(201);
    await drain();
    const callback = sink.received[1];
    expect(callback.parsed.subject).toBe(`[${reference}] Мы вам позвоним`);
    expect(callback.parsed.inReplyTo).toBe(row.message_id);
    expect(callback.parsed.references).toEqual(row.message_id);
    expect(callback.parsed.text).toContain('+79161234567');
    // The window in the family's language and the configured zone, named: "с <date>, HH:MM до
    // HH:MM (Europe/Kyiv)" when it ends on the day it starts.
    const kyiv = (d: Date, o: Intl.DateTimeFormatOptions) =>
      new Intl.DateTimeFormat('ru', { ...o, timeZone: 'Europe/Kyiv' }).format(d);
    const start = new Date(due);
    const end = new Date(start.getTime() + 60 * 60_000);
    const sameDay = kyiv(start, { dateStyle: 'long' }) === kyiv(end, { dateStyle: 'long' });
    expect(callback.parsed.text).toContain(
      `с ${kyiv(start, { dateStyle: 'long', timeStyle: 'short' })} до ${kyiv(end, sameDay ? { timeStyle: 'short' } : { dateStyle: 'long', timeStyle: 'short' })} (Europe/Kyiv)`,
    );

    // The outcome is on the case's timeline.
    const detail = await staff.agent.get(`/api/inquiries/${id}`);
    const sent = (detail.body.timeline as { action: string }[]).filter(
      (e) => e.action === 'mail.sent',
    );
    expect(sent).toHaveLength(2);
  });

  it('renders every template in every language through SMTP and back; detention news is held back until disclosure is allowed', async () => {
    const byLanguage: Record<string, { id: string; reference: string; inquirerId: string }> = {};
    for (const language of MAIL_LANGUAGES) {
      const created = await createInquiry(staff, {
        inquirer: {
          fullName: `Коваль Марія (${language})`,
          relationship: 'mother',
          phones: [],
          emails: [`mother.${language}@mail.test`],
          preferredLanguage: language,
        },
      });
      const [{ inquirer_id }] = await sql<{ inquirer_id: string }>(
        'SELECT inquirer_id FROM inquiry WHERE id = $1',
        [created.id],
      );
      byLanguage[language] = { ...created, inquirerId: inquirer_id };
    }
    await drain();
    sink.received.length = 0;
    const payload = {
      status: 'closed_not_found',
      transition: 'confirm_detention',
      reason: 'Фото паспорта',
      dueAt: new Date().toISOString(),
      windowMinutes: 60,
      subject: 'Документы',
      body: 'Спасибо.',
    };
    for (const language of MAIL_LANGUAGES) {
      const { id, inquirerId } = byLanguage[language];
      for (const event of MAIL_EVENTS) {
        const toStaff = event.startsWith('staff.');
        // Written behind the gate's back (as a bug or an old row might be): the sender still asks
        // the gate, and renders only the family's view.
        await sql(
          `INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload,
             family_stage)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            event,
            id,
            toStaff ? 'staff' : 'inquirer',
            toStaff ? staff.user.id : inquirerId,
            payload,
            toStaff ? null : 'legacy',
          ],
        );
      }
    }
    await drain();

    const renderer = sut.app.get(MailRenderer);
    // The case is just received: what would tell of detention waits for disclosure (held), a
    // closing letter for a case that is not closed no longer applies (suppressed).
    const notSent: Record<string, string> = {
      'family.verification_outcome': 'held',
      'family.detention_confirmed': 'held',
      'family.travel_instructions': 'held',
      'family.handover_scheduled': 'held',
      'family.case_closed': 'suppressed',
    };
    for (const language of MAIL_LANGUAGES) {
      const { id, reference } = byLanguage[language];
      const rows = await outboxOf(id);
      for (const event of MAIL_EVENTS) {
        const row = rows.filter((r) => r.event_type === event).at(-1)!;
        if (notSent[event]) {
          expect([event, row.state]).toEqual([event, notSent[event]]);
          continue;
        }
        expect([event, row.state]).toEqual([event, 'sent']);
        const got = sink.received.find((m) => m.parsed.messageId === row.message_id);
        expect([event, language, Boolean(got)]).toEqual([event, language, true]);
        if (!got) continue;
        const expected = renderer.render(event, event.startsWith('staff.') ? 'uk' : language, {
          reference,
        });
        expect(got.parsed.subject?.split('] ')[0]).toBe(`[${reference}`);
        expect(got.parsed.subject).toBe(
          event === 'family.message' ? `[${reference}] Документы` : expected.subject,
        );
        expect(got.parsed.headers.get('content-language')).toBe(
          event.startsWith('staff.') ? 'uk' : language,
        );
        expect(got.parsed.headers.get('auto-submitted')).toBe(
          event === 'family.message' ? undefined : 'auto-generated',
        );
        expect(got.parsed.text).toContain(reference);
      }
    }
    // All the others can be sent before disclosure, in each language.
    expect(sink.received).toHaveLength(
      (MAIL_EVENTS.length - Object.keys(notSent).length) * MAIL_LANGUAGES.length,
    );
    const timeline = await staff.agent.get(`/api/inquiries/${byLanguage.en.id}`);
    const actions = (timeline.body.timeline as { action: string }[]).map((e) => e.action);
    expect(actions.filter((a) => a === 'notice.held')).toHaveLength(4);
    expect(actions.filter((a) => a === 'mail.suppressed')).toHaveLength(1);
  });

  it('sends nothing for a rolled-back transition and exactly one message for a committed one', async () => {
    const { id } = await createInquiry(staff);
    await drain();
    const transitions = sut.app.get(InquiryTransitionService);
    const fire = (to: string, version: number, reason?: string) =>
      post(staff, `/api/inquiries/${id}/transitions`, { to, version, reason });
    expect((await fire('gathering_information', 1)).status).toBe(200);
    expect((await fire('verifying', 2)).status).toBe(200);
    sink.received.length = 0;

    await expect(
      sut.app.get(DataSource).transaction(async (manager) => {
        await transitions.executeInTransaction(manager, {
          inquiryId: id,
          to: 'gathering_information',
          reason: 'Нужна фотография',
          version: 3,
          actor: { actor: staff.user.id },
          roles: ['caseworker'],
        });
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    await drain();
    expect(sink.received).toHaveLength(0);
    expect((await outboxOf(id)).map((r) => r.event_type)).toEqual(['family.acknowledgement']);

    expect((await fire('gathering_information', 3, 'Нужна фотография сына')).status).toBe(200);
    await drain();
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0].parsed.text).toContain('Нужна фотография сына');
  });

  it('shows on /health/ready how the mail server answered: down after a 451, up after a delivery, ready all along', async () => {
    const mailOf = async () => {
      const res = await request(sut.app.getHttpServer() as App).get('/health/ready');
      expect(res.status).toBe(200);
      return res.body.details.mail as Record<string, unknown>;
    };
    sink.reply = () => 451;
    await createInquiry(staff);
    await sender.drainOnce();
    expect(await mailOf()).toMatchObject({
      status: 'up',
      sending: false,
      transport: expect.stringContaining('SMTP 127.0.0.1'),
      state: 'down',
      lastError: expect.stringContaining('451'),
    });
    sink.reply = () => undefined;
    await drain();
    expect(await mailOf()).toMatchObject({ state: 'up', since: expect.any(String) });
  });

  it('retries a 451 with backoff and delivers once; a 550 fails at once, shows on the case and in the failed list, and a supervisor can send it again', async () => {
    sink.reply = (attempt) => (attempt <= 2 ? 451 : undefined);
    const first = await createInquiry(staff);
    await drain();
    expect(sink.attempts).toBe(3);
    expect(sink.received).toHaveLength(1);
    expect(await outboxOf(first.id)).toEqual([
      expect.objectContaining({ state: 'sent', attempts: 3 }),
    ]);

    sink.received.length = 0;
    sink.attempts = 0;
    sink.reply = () => 550;
    const second = await createInquiry(staff);
    await drain();
    expect(sink.attempts).toBe(1);
    const [failed] = await outboxOf(second.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    const list = await supervisor.agent
      .get('/api/outbox')
      .query({ state: 'failed', inquiryId: second.id });
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: failed.id,
        state: 'failed',
        lastError: expect.stringContaining('550'),
      }),
    ]);
    const detail = await staff.agent.get(`/api/inquiries/${second.id}`);
    expect((detail.body.timeline as { action: string }[]).map((e) => e.action)).toContain(
      'mail.failed',
    );
    await drain();
    expect(sink.attempts).toBe(1);

    sink.reply = () => undefined;
    expect((await post(staff, `/api/outbox/${failed.id}/retry`)).status).toBe(403);
    const retried = await post(supervisor, `/api/outbox/${failed.id}/retry`);
    expect(retried.body).toMatchObject({ state: 'pending', attempts: 0 });
    await drain();
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0].parsed.messageId).toBe(failed.message_id);
    const cancelAfterSent = await post(supervisor, `/api/outbox/${failed.id}/cancel`, {});
    expect([cancelAfterSent.status, cancelAfterSent.body.code]).toEqual([409, 'conflict']);
  });

  it('gives up after MAIL_MAX_ATTEMPTS temporary failures: failed, on the case, not tried again', async () => {
    sink.reply = () => 451;
    const { id } = await createInquiry(staff);
    await drain();
    expect(sink.attempts).toBe(4);
    expect(await outboxOf(id)).toEqual([expect.objectContaining({ state: 'failed', attempts: 4 })]);
    await drain();
    expect(sink.attempts).toBe(4);
  });

  it('delivers a message whose sender died between claiming and sending, once its lease has expired', async () => {
    const { id } = await createInquiry(staff);
    // A sender claims the row for one second, and dies.
    await sql(
      `UPDATE outbox_message SET state = 'sending', attempts = attempts + 1,
         lease_until = now() + interval '1 second',
         message_id = '<' || id || '@homecoming.test>' WHERE inquiry_id = $1`,
      [id],
    );
    expect(await sender.drainOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 1_100));
    await drain();
    expect(sink.received).toHaveLength(1);
    const [row] = await outboxOf(id);
    expect(row).toMatchObject({ state: 'sent', attempts: 2 });
    expect(sink.received[0].parsed.messageId).toBe(row.message_id);
  });

  it('keeps mail through an SMTP outage of any length without spending attempts, and sends it when the server is back', async () => {
    const port = Number(sut.app.get(AppConfig).mail.smtp!.port);
    await sink.stop();
    try {
      const { id } = await createInquiry(staff);
      // More rounds than MAIL_MAX_ATTEMPTS (4): an unreachable server fails nothing.
      for (let round = 0; round < 6; round += 1) {
        await sql(`UPDATE outbox_message SET available_at = now() WHERE inquiry_id = $1`, [id]);
        expect(await sender.drainOnce()).toBe(1);
      }
      const [row] = await sql<{ state: string; attempts: number; last_error: string }>(
        `SELECT state, attempts, last_error FROM outbox_message WHERE inquiry_id = $1`,
        [id],
      );
      expect(row).toMatchObject({ state: 'pending', attempts: 0 });
      expect(row.last_error).toMatch(/^(ESOCKET|ECONNECTION|ETIMEDOUT)/);
      expect(sender.status()).toMatchObject({ state: 'down' });
      const audited = await sql(
        `SELECT 1 FROM audit_event WHERE inquiry_id = $1 AND action LIKE 'mail.%'`,
        [id],
      );
      expect(audited).toHaveLength(0);

      await sink.start(port);
      await drain();
      expect(await outboxOf(id)).toMatchObject([{ state: 'sent', attempts: 1 }]);
      expect(sink.received).toHaveLength(1);
      expect(sender.status()).toMatchObject({ state: 'up' });
    } finally {
      if (!sink.listening) await sink.start(port);
    }
  });

  it('counts an attempt when the connection drops during a message and the server still answers', async () => {
    sink.dropAfterData = true;
    try {
      const { id } = await createInquiry(staff);
      expect(await sender.drainOnce()).toBe(1);
      const [row] = await sql<{ state: string; attempts: number; last_error: string }>(
        `SELECT state, attempts, last_error FROM outbox_message WHERE inquiry_id = $1`,
        [id],
      );
      // Not "waiting for the server": the server is there, so the attempt counts (an endless
      // give-back would send a letter the server did take again and again).
      expect(row).toMatchObject({ state: 'pending', attempts: 1 });
      sink.dropAfterData = false;
      await drain();
      expect(await outboxOf(id)).toMatchObject([{ state: 'sent', attempts: 2 }]);
    } finally {
      sink.dropAfterData = false;
    }
  });

  it('lets two senders drain one outbox without sending any message twice', async () => {
    const second = new MailSender(
      sut.app.get(DataSource),
      sut.app.get(AppConfig),
      sut.app.get(MailRenderer),
      sut.app.get(AuditService),
      sut.app.get(DisclosureGate),
      sut.app.get(StatusLinksService),
      sut.app.get(FamilyChannels),
      sut.app.get(Metrics),
    );
    const inquiries = await Promise.all(Array.from({ length: 6 }, () => createInquiry(staff)));
    for (const { id } of inquiries) {
      await post(staff, `/api/inquiries/${id}/emails`, { subject: 'Вопрос', body: 'Текст письма' });
      await post(staff, `/api/inquiries/${id}/emails`, { subject: 'Ещё вопрос', body: 'Текст' });
    }
    const ids = inquiries.map((i) => i.id);
    await Promise.all([drain(sender), drain(second), drain(sender), drain(second)]);
    await second.onApplicationShutdown();

    const rows = await sql<{ state: string; message_id: string }>(
      'SELECT state, message_id FROM outbox_message WHERE inquiry_id = ANY($1)',
      [ids],
    );
    expect(rows).toHaveLength(18);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    const received = sink.received.map((m) => m.parsed.messageId);
    expect(received).toHaveLength(18);
    expect(new Set(received).size).toBe(18);
    expect(new Set(received)).toEqual(new Set(rows.map((r) => r.message_id)));
  });

  it('refuses to write to an inquirer with no email address, naming the problem', async () => {
    const { id } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Без почты',
        relationship: 'mother',
        phones: ['+79160000001'],
        emails: [],
      },
    });
    const res = await post(staff, `/api/inquiries/${id}/emails`, {
      subject: 'Тема',
      body: 'Текст',
    });
    const invalid = await post(staff, `/api/inquiries/${id}/emails`, { subject: '', body: 5 });
    expect([res.status, res.body.code]).toEqual([422, 'no_email_address']);
    expect(invalid.status).toBe(400);
    expect(
      [...new Set((invalid.body.errors as { field: string }[]).map((e) => e.field))].sort(),
    ).toEqual(['body', 'subject']);
    // The acknowledgement cannot go anywhere either: suppressed, said on the case, not failed.
    await drain();
    expect(await outboxOf(id)).toEqual([expect.objectContaining({ state: 'suppressed' })]);
  });

  it('tells the caseworker once when a promised callback is overdue', async () => {
    const { id, reference } = await createInquiry(staff);
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const callback = await post(staff, `/api/inquiries/${id}/callbacks`, { dueAt: due });
    await drain();
    sink.received.length = 0;
    const notifier = sut.app.get(OverdueCallbackNotifier);
    expect(await notifier.notifyOnce()).toBe(0);
    await sql(`UPDATE callback SET due_at = now() - interval '3 hours' WHERE id = $1`, [
      callback.body.id,
    ]);

    expect(await notifier.notifyOnce()).toBe(1);
    expect(await notifier.notifyOnce()).toBe(0);
    await drain();
    expect(sink.received).toHaveLength(1);
    const [mail] = sink.received;
    // Nobody owns the inquiry: the one who promised the call is told, in Ukrainian.
    expect(mail.to).toEqual([staff.user.email]);
    expect(mail.parsed.subject).toBe(`[${reference}] Прострочено зворотний дзвінок`);
    expect(mail.parsed.text).toContain('Олена Коваль');
    const detail = await staff.agent.get(`/api/inquiries/${id}`);
    expect((detail.body.timeline as { action: string }[]).map((e) => e.action)).toContain(
      'callback.overdue',
    );
  });

  it('without SMTP, writes each message as an .eml file that parses back', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-mail-'));
    const local = await createTestApp({
      env: { TOTP_REQUIRED_ROLES: 'none', MAIL_DIR: dir },
      logDestination: logs,
    });
    try {
      const who = await signedInStaff(local, { roles: ['intake'] });
      const { reference } = await createInquiry(who);
      expect(await local.app.get(MailSender).drainOnce()).toBe(1);
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      const parsed = await simpleParser(await readFile(path.join(dir, files[0])));
      expect(parsed.subject).toBe(`[${reference}] Мы получили ваше обращение`);
      expect(parsed.text).toContain('Петрова Ольга Ивановна');
    } finally {
      await local.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wrote no address, name or letter text to the logs', () => {
    const text = logs.text();
    expect(text).toContain('sent as <');
    for (const secret of [
      'olga.petrova@mail.test',
      'mail.test',
      'Петрова',
      'Коваль',
      'Нужна фотография',
      'Текст письма',
      '+7916',
    ]) {
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
    }
  });
});
