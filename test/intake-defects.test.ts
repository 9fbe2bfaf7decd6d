import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { intakeSignature } from '../src/intake/intake.controller.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { createInquiry } from './support/inquiries.js';
import { SmtpSink } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// What a new user and other mail software found (issue 19), one test per point, written against
// the code before the fixes: every one of them failed there.
const SECRET = 'test-intake-secret-0123456789abcdef0123';
const OURS = 'cases@homecoming.test';

describe('nothing lost, nothing misfiled (defects found in review)', () => {
  const sink = new SmtpSink();
  let sut: TestApp;
  let staff: SignedIn;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (body: Buffer) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return request(sut.app.getHttpServer() as App)
      .post('/api/intake/email')
      .set('Content-Type', 'message/rfc822')
      .set('X-Homecoming-Timestamp', timestamp)
      .set('X-Homecoming-Signature', intakeSignature(SECRET, timestamp, body))
      .send(body);
  };
  const drain = async () => {
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
  };
  const unique = () => randomBytes(4).toString('hex');
  // A plain letter as common mail software writes it.
  const letter = (o: {
    from: string;
    subject: string;
    body?: string;
    headers?: string[];
    messageId?: string;
  }) =>
    Buffer.from(
      [
        `From: ${o.from}`,
        `To: ${OURS}`,
        `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`,
        `Message-ID: ${o.messageId ?? `<${unique()}@mail.test>`}`,
        'Date: Sun, 06 Dec 2026 10:00:00 +0200',
        ...(o.headers ?? []),
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        o.body ?? 'Здравствуйте. Ищу сына.',
        '',
      ].join('\r\n'),
    );
  const row = async (id: string) =>
    (
      await sql<{
        outcome: string;
        inquiry_id: string | null;
        needs_review: boolean;
        text_body: string | null;
        from_address: string | null;
        subject: string | null;
        reason: string | null;
        authentication: Record<string, unknown> | null;
      }>(`SELECT * FROM inbound_email WHERE id = $1`, [id])
    )[0];
  const ourLetterTo = async (email: string) => {
    const { id } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Петрова Ольга Ивановна',
        relationship: 'mother',
        emails: [email],
        preferredLanguage: 'ru',
      },
    });
    await drain();
    const [{ message_id: messageId }] = await sql<{ message_id: string }>(
      `SELECT message_id FROM outbox_message WHERE inquiry_id = $1 AND state = 'sent'`,
      [id],
    );
    const [{ reference }] = await sql<{ reference: string }>(
      `SELECT reference FROM inquiry WHERE id = $1`,
      [id],
    );
    return { id, messageId, reference };
  };

  beforeAll(async () => {
    const port = await sink.start();
    sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        INTAKE_WEBHOOK_SECRET: SECRET,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
        MAIL_FROM: `homecoming <${OURS}>`,
        INTAKE_AUTHSERV_IDS: 'mx.homecoming.test',
      },
    });
    staff = await signedInStaff(sut, { roles: ['intake', 'caseworker'] });
  });

  beforeEach(async () => {
    await drain();
  });

  afterAll(async () => {
    await sut?.close();
    await sink.stop();
  });

  it('1. an edit of the family’s city keeps their phones, emails and letter language', async () => {
    const { id, version } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Коваленко Марія',
        relationship: 'mother',
        phones: ['+380 67 123 45 67'],
        emails: ['maria.k@mail.test'],
        preferredLanguage: 'uk',
      },
    });
    const res = await staff.agent
      .patch(`/api/inquiries/${id}`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ version, inquirer: { city: 'Lviv' } });
    expect(res.status).toBe(200);
    const [family] = await sql(
      `SELECT r.phones, r.emails, r.preferred_language, r.city FROM inquiry i
       JOIN inquirer r ON r.id = i.inquirer_id WHERE i.id = $1`,
      [id],
    );
    expect(family).toEqual({
      phones: ['+380671234567'],
      emails: ['maria.k@mail.test'],
      preferred_language: 'uk',
      city: 'Lviv',
    });
  });

  it.each([
    ['Мой сын відсутній на зв’язку з березня', []],
    ['Сын в отпуске не был, его нет на месте службы', []],
    ['Looking for my son, no vacation since February', []],
    ['Ищу сына', ['Precedence: bulk']],
  ])(
    '2. a mother’s first letter opens a case whatever its words: %s %j',
    async (subject, headers) => {
      const res = await post(letter({ from: `mother-${unique()}@mail.test`, subject, headers }));
      expect(res.status).toBe(202);
      expect(res.body.outcome).toBe('opened');
    },
  );

  it('3. a mailing list’s letter (List-Id) opens no case', async () => {
    const res = await post(
      letter({
        from: 'news@lists.mail.test',
        subject: 'Новости недели',
        headers: [
          'List-Id: Weekly news <weekly.lists.mail.test>',
          'List-Unsubscribe: <mailto:u@lists.mail.test>',
        ],
      }),
    );
    expect(res.body.outcome).toBe('ignored');
    expect((await row(res.body.id)).reason).toBe('mailing list');
  });

  it('4. our own letters never open a case: From our address, or relayed with a new Message-ID', async () => {
    const own = await post(
      letter({ from: `homecoming <${OURS}>`, subject: 'Мы получили ваше обращение' }),
    );
    expect(own.body.outcome).toBe('ignored');
    const { messageId } = await ourLetterTo(`loop-${unique()}@mail.test`);
    const sent = sink.received.find((m) => m.parsed.messageId === messageId)!;
    const relayed = Buffer.from(
      sent.raw
        .toString('utf8')
        .replace(/^Message-ID: .*$/im, `Message-ID: <relay-${unique()}@relay.mail.test>`)
        .replace(/^From: .*$/im, 'From: relay <bounce-relay@relay.mail.test>'),
    );
    const looped = await post(relayed);
    expect(looped.body.outcome).toBe('ignored');
    expect((await row(looped.body.id)).reason).toMatch(/our own/);
  });

  it('5. a letter from someone the case does not know is attached for review, however it threads', async () => {
    const family = await ourLetterTo(`family-a-${unique()}@mail.test`);
    // Another family's auto-reply carrying this case's tag.
    const auto = await post(
      letter({
        from: `family-b-${unique()}@mail.test`,
        subject: `Автоответ: [${family.reference}]`,
        headers: ['Auto-Submitted: auto-replied'],
      }),
    );
    expect(auto.body.outcome).toBe('auto_reply');
    expect(await row(auto.body.id)).toMatchObject({ inquiry_id: family.id, needs_review: true });
    // A stranger replying to our letter.
    const stranger = `stranger-${unique()}@mail.test`;
    const first = await post(
      letter({
        from: stranger,
        subject: 'Re: ваше письмо',
        headers: [`In-Reply-To: ${family.messageId}`],
      }),
    );
    expect(await row(first.body.id)).toMatchObject({ inquiry_id: family.id, needs_review: true });
    // His second letter, answering his own first.
    const [{ message_id: firstId }] = await sql<{ message_id: string }>(
      `SELECT message_id FROM inbound_email WHERE id = $1`,
      [first.body.id],
    );
    const second = await post(
      letter({ from: stranger, subject: 'Ещё', headers: [`In-Reply-To: ${firstId}`] }),
    );
    expect(await row(second.body.id)).toMatchObject({ inquiry_id: family.id, needs_review: true });
  });

  it('6. words are kept when the boundary is wrong, and a NUL in a header quarantines nothing', async () => {
    const from = `boundary-${unique()}@mail.test`;
    const broken = Buffer.from(
      [
        `From: ${from}`,
        'Subject: Sin',
        `Message-ID: <${unique()}@mail.test>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="declared-boundary"',
        '',
        '--other-boundary',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Мой сын Петров Иван, 1999 года рождения.',
        '--other-boundary--',
        '',
      ].join('\r\n'),
    );
    const res = await post(broken);
    expect(res.body.outcome).toBe('opened');
    expect((await row(res.body.id)).text_body).toContain(
      'Мой сын Петров Иван, 1999 года рождения.',
    );
    const nul = await post(
      letter({
        from: `nul-${unique()}@mail.test`,
        subject: 'Письмо',
        messageId: `<a\u0000b-${unique()}@mail.test>`,
        headers: [`In-Reply-To: <x\u0000y@mail.test>`],
      }),
    );
    expect(nul.body.outcome).toBe('opened');
  });

  it('6b. words of every part are kept: a nested part with a wrong boundary, several HTML parts', async () => {
    // Found by the random messages of test/intake-mime.property.test.ts.
    const nested = Buffer.from(
      [
        `From: nested-${unique()}@mail.test`,
        'Subject: Sin',
        `Message-ID: <${unique()}@mail.test>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Перша частина.',
        '--outer',
        'Content-Type: multipart/related; boundary="declared"',
        '',
        '--used',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Друга частина: мій син Іван.</p>',
        '--used--',
        '',
        '--outer--',
        '',
      ].join('\r\n'),
    );
    const html = Buffer.from(
      [
        `From: html-${unique()}@mail.test`,
        'Subject: Sin',
        `Message-ID: <${unique()}@mail.test>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<div><p>Перший лист.</p></div>',
        '--b',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><head><title>Без назви</title></head><body><p>Другий лист.</p></body></html>',
        '--b',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Третій лист.</p>',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const texts = [];
    for (const raw of [nested, html]) {
      const res = await post(raw);
      texts.push((await row(res.body.id)).text_body?.replace(/\s+/g, ' ').trim());
    }
    expect(texts).toEqual([
      'Перша частина. Друга частина: мій син Іван.',
      'Перший лист. Другий лист. Третій лист.',
    ]);
  });

  it('7. an Authentication-Results header the sender wrote proves nothing', async () => {
    const res = await post(
      letter({
        from: `forged-${unique()}@mail.test`,
        subject: 'Письмо',
        headers: ['Authentication-Results: mx.google.com; spf=pass; dkim=pass; dmarc=pass'],
      }),
    );
    expect((await row(res.body.id)).authentication).toEqual({
      server: 'mx.google.com',
      spf: 'pass',
      dkim: 'pass',
      dmarc: 'pass',
      verified: false,
    });
  });

  it('8. a route other than the two that take files refuses a large body before reading it', async () => {
    await sut.app.listen(0, '127.0.0.1');
    const { port } = sut.app.getHttpServer().address() as AddressInfo;
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/inquiries',
          headers: { 'Content-Type': 'text/csv', 'Content-Length': String(50 * 1024 * 1024) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // A little of it, never the rest: a server that waits for the body never answers.
      req.write(Buffer.alloc(1024, 'a'));
      setTimeout(() => {
        req.destroy();
        resolve(-1);
      }, 5_000);
    });
    expect(answer).toBe(413);
  });
});
