import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { intakeSignature } from '../src/intake/intake.controller.js';
import { IntakeService } from '../src/intake/intake.service.js';
import yazl from 'yazl';
import { MailParser } from '../src/intake/mail-parser.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { expectCyrillicDecoded, FIXTURES } from './support/cyrillic-fixtures.js';
import {
  expectFixtureOutcome,
  FIXTURE_OUTCOMES,
  FIXTURE_TOTALS,
} from './support/fixture-outcomes.js';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const SECRET = 'test-intake-secret-0123456789abcdef0123';

// Mail in through the webhook door: every real-world fixture ends in exactly one recorded
// outcome; replies thread onto their case; nothing is taken twice.
describe('mail intake (webhook)', () => {
  let sut: TestApp;
  let staff: SignedIn;
  let supervisor: SignedIn;
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;

  const post = (body: Buffer, options: { timestamp?: string; signature?: string } = {}) => {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    return request(sut.app.getHttpServer() as App)
      .post('/api/intake/email')
      .set('Content-Type', 'message/rfc822')
      .set('X-Homecoming-Timestamp', timestamp)
      .set('X-Homecoming-Signature', options.signature ?? intakeSignature(SECRET, timestamp, body))
      .send(body);
  };

  // The Message-IDs the parser throws on (see the quarantine test).
  const parserBreaksOn = new Set<string>();
  class BreakingParser extends MailParser {
    override parse(raw: Buffer) {
      const id = /^Message-ID: (<[^>]+>)/im.exec(raw.toString('latin1'))?.[1];
      if (id && parserBreaksOn.has(id)) {
        return Promise.reject(new Error(`test parser broke on ${id}`));
      }
      return super.parse(raw);
    }
  }

  beforeAll(async () => {
    sut = await createTestApp({
      overrides: [{ provide: MailParser, useValue: new BreakingParser() }],
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        INTAKE_WEBHOOK_SECRET: SECRET,
        INTAKE_MAX_BYTES: String(2 * 1024 * 1024),
        INTAKE_MAX_ATTACHMENTS: '4',
        INTAKE_MAX_ATTACHMENT_BYTES: String(200 * 1024),
        INTAKE_AUTHSERV_IDS: 'mx.homecoming.test',
        MAIL_FROM: 'homecoming <cases@homecoming.test>',
        // A folder of its own: a name from the process id was reused by a later run (pids
        // repeat) and its letters from before were read as this run's.
        MAIL_DIR: mkdtempSync(path.join(os.tmpdir(), 'homecoming-intake-mail-')),
      },
    });
    staff = await signedInStaff(sut, { roles: ['intake', 'caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
  });

  afterAll(async () => {
    await sut.close();
    rmSync(sut.config.mail.dir, { recursive: true, force: true });
  });

  it('takes every real-world fixture to its one expected outcome, sender and subject; none lost', async () => {
    expect(fixtures).toEqual(FIXTURE_OUTCOMES.map(([file]) => file));
    const caseOf = new Map<string, string>();
    for (const [file] of FIXTURE_OUTCOMES) {
      const res = await post(readFileSync(path.join(FIXTURES, file)));
      expect([file, res.status, res.body.duplicate]).toEqual([file, 202, false]);
      await expectFixtureOutcome(sql, file, res.body.id as string, caseOf);
    }
    const rows = await sql<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM inbound_email GROUP BY outcome ORDER BY outcome`,
    );
    expect(rows).toEqual(FIXTURE_TOTALS);
  });

  it('decodes Cyrillic in every form: RFC 2047, raw 8-bit UTF-8, windows-1251 and KOI8-R with no charset, HTML only, raw 8-bit file names', async () => {
    await expectCyrillicDecoded(sql);
  });

  it('creates nothing new when the same messages arrive again, the same bytes or by another path', async () => {
    const [{ inquiries: before }] = await sql<{ inquiries: number }>(
      `SELECT count(*)::int AS inquiries FROM inquiry`,
    );
    for (const file of fixtures.slice(0, 10)) {
      const res = await post(readFileSync(path.join(FIXTURES, file)));
      expect([file, res.status, res.body.duplicate]).toEqual([file, 202, true]);
    }
    // The same message come by another path: one more transport header, same Message-ID and body.
    const letter = Buffer.from(
      'From: Vira <vira.twice@mail.test>\r\nSubject: Ищу сына\r\nMessage-ID: <twice-1@mail.test>\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n\r\nИщу сына, Петров Иван.\r\n',
    );
    const first = await post(letter);
    const relayed = await post(
      Buffer.concat([
        Buffer.from('Received: from relay.mail.test by mx.homecoming.test\r\n'),
        letter,
      ]),
    );
    expect([first.body.outcome, first.body.duplicate]).toEqual(['opened', false]);
    expect(relayed.body).toEqual({ id: first.body.id, outcome: 'opened', duplicate: true });
    const [{ inquiries: after }] = await sql<{ inquiries: number }>(
      `SELECT count(*)::int AS inquiries FROM inquiry`,
    );
    expect(after).toBe(before + 1);
  });

  it('threads a family’s replies onto their case: by the subject tag, and by References alone', async () => {
    const { id, reference } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Петрова Ольга Ивановна',
        relationship: 'mother',
        emails: ['olga@mail.test'],
        preferredLanguage: 'ru',
      },
    });
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const [{ message_id: ours }] = await sql<{ message_id: string }>(
      `SELECT message_id FROM outbox_message WHERE inquiry_id = $1 AND state = 'sent'`,
      [id],
    );
    const reply = (subject: string, headers: string, from = 'olga@mail.test') =>
      Buffer.from(
        [
          `From: =?UTF-8?B?${Buffer.from('Ольга Петрова').toString('base64')}?= <${from}>`,
          'To: cases@homecoming.test',
          `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
          `Message-ID: <${Math.random().toString(36).slice(2)}@mail.test>`,
          headers,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: 8bit',
          '',
          'Здравствуйте! Высылаю фотографию сына.',
          '',
        ].join('\r\n'),
      );
    const tagged = await post(
      reply(`Re: [${reference}] Мы получили ваше обращение`, `In-Reply-To: ${ours}`),
    );
    const untagged = await post(
      reply('Ещё одно письмо', `References: ${ours}`, 'sister@mail.test'),
    );
    const forged = await post(reply(`[${reference}] чужой`, 'X-Test: 1', 'stranger@mail.test'));
    const auto = await post(reply(`Автоответ: [${reference}]`, 'Auto-Submitted: auto-replied'));

    expect(tagged.body.outcome).toBe('attached');
    expect(untagged.body.outcome).toBe('attached');
    expect(forged.body.outcome).toBe('attached');
    expect(auto.body.outcome).toBe('auto_reply');
    const rows = await sql<{
      id: string;
      inquiry_id: string;
      needs_review: boolean;
      from_name: string;
      subject: string;
    }>(
      `SELECT id, inquiry_id, needs_review, from_name, subject FROM inbound_email WHERE id = ANY($1)`,
      [[tagged.body.id, untagged.body.id, forged.body.id, auto.body.id]],
    );
    expect(rows.every((r) => r.inquiry_id === id)).toBe(true);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[tagged.body.id]).toMatchObject({
      needs_review: false,
      from_name: 'Ольга Петрова',
      subject: `Re: [${reference}] Мы получили ваше обращение`,
    });
    expect(byId[forged.body.id].needs_review).toBe(true);
    // The auto-reply got no answer: only the acknowledgement went out.
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_message WHERE inquiry_id = $1 AND recipient_kind = 'inquirer'`,
      [id],
    );
    expect(n).toBe(1);
    const detail = await staff.agent.get(`/api/inquiries/${id}`);
    const actions = (detail.body.timeline as { action: string }[]).map((e) => e.action);
    expect(actions.filter((a) => a === 'email.received')).toHaveLength(3);
    expect(actions).toContain('email.auto_reply');
  });

  it('threads a reply that has only In-Reply-To, no tag and another sender address — for review', async () => {
    const { id } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Сидоренко Галина',
        relationship: 'mother',
        emails: ['galyna@mail.test'],
        preferredLanguage: 'uk',
      },
    });
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const [{ message_id: ours }] = await sql<{ message_id: string }>(
      `SELECT message_id FROM outbox_message WHERE inquiry_id = $1 AND state = 'sent'`,
      [id],
    );
    const res = await post(
      Buffer.from(
        `From: Halyna <halyna.work@mail.test>\r\nSubject: Re: відповідь\r\nIn-Reply-To: ${ours}\r\n` +
          `Message-ID: <only-irt@mail.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nДякую!\r\n`,
      ),
    );
    const [row] = await sql<{ inquiry_id: string; needs_review: boolean }>(
      'SELECT inquiry_id, needs_review FROM inbound_email WHERE id = $1',
      [res.body.id],
    );
    expect([res.body.outcome, row]).toEqual(['attached', { inquiry_id: id, needs_review: true }]);
  });

  it('keeps attachments within the limits, lists the rest with the reason, blocks executables and archives holding them', async () => {
    const zipOf = (entries: Record<string, string>) =>
      new Promise<Buffer>((resolve) => {
        const zip = new yazl.ZipFile();
        for (const [name, body] of Object.entries(entries)) zip.addBuffer(Buffer.from(body), name);
        const chunks: Buffer[] = [];
        zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
        zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
        zip.end();
      });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const parts: [string, string, Buffer][] = [
      ['Паспорт сина.pdf', 'application/pdf', pdf],
      [
        'invoice.exe',
        'application/octet-stream',
        Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
      ],
      ['photos.zip', 'application/zip', await zipOf({ 'photo.txt': 'a', 'run.exe': 'MZ' })],
      ['letters.zip', 'application/zip', await zipOf({ 'letter.txt': 'Дорогой сын' })],
      ['big.bin', 'application/octet-stream', Buffer.alloc(300 * 1024, 7)],
      ['fifth.txt', 'text/plain', Buffer.from('over the count')],
      ['sixth.txt', 'text/plain', Buffer.from('over the count')],
    ];
    const boundary = 'b-attachments';
    const raw = Buffer.from(
      [
        'From: Olena <olena.att@mail.test>',
        'Subject: Документы',
        'Message-ID: <attachments-1@mail.test>',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Документы сына во вложении.',
        ...parts.flatMap(([name, type, bytes]) => [
          `--${boundary}`,
          `Content-Type: ${type}`,
          `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
          'Content-Transfer-Encoding: base64',
          '',
          bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
        ]),
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const res = await post(raw);
    expect(res.body.outcome).toBe('opened');
    const [{ inquiry_id: inquiryId }] = await sql<{ inquiry_id: string }>(
      'SELECT inquiry_id FROM inbound_email WHERE id = $1',
      [res.body.id],
    );
    const listed = await staff.agent.get(`/api/inquiries/${inquiryId}/inbound-emails`);
    expect(listed.status).toBe(200);
    const attachments = listed.body.items[0].attachments as {
      id: string;
      filename: string;
      sniffedType: string | null;
      sizeBytes: number;
      stored: boolean;
      blocked: boolean;
      reason: string | null;
    }[];
    const brief = attachments.map((a) => [a.filename, a.stored, a.blocked, a.reason]);
    expect(brief).toEqual([
      ['Паспорт сина.pdf', true, false, null],
      ['invoice.exe', true, true, 'an executable program'],
      ['photos.zip', true, true, 'an archive holding an executable program'],
      ['letters.zip', true, false, null],
      ['big.bin', false, false, 'larger than the 200 kB limit'],
      ['fifth.txt', false, false, 'more than 4 attachments in one message'],
      ['sixth.txt', false, false, 'more than 4 attachments in one message'],
    ]);
    expect(attachments[0]).toMatchObject({ sniffedType: 'application/pdf', sizeBytes: pdf.length });
    expect(attachments[1].sniffedType).toBe('application/x-msdownload');

    const download = await staff.agent
      .get(`/api/inbound-attachments/${attachments[0].id}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    expect(Buffer.compare(download.body as Buffer, pdf)).toBe(0);
    expect(download.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('Паспорт сина.pdf')}`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    const blocked = await staff.agent.get(`/api/inbound-attachments/${attachments[1].id}`);
    expect([blocked.status, blocked.body.code]).toEqual([403, 'attachment_blocked']);
    const notKept = await staff.agent.get(`/api/inbound-attachments/${attachments[4].id}`);
    expect([notKept.status, notKept.body.code, notKept.body.detail]).toEqual([
      410,
      'attachment_not_stored',
      'larger than the 200 kB limit',
    ]);
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'email.attachment_download'
         AND diff -> 'attachmentId' ->> 'to' = $1`,
      [attachments[0].id],
    );
    expect(n).toBe(1);
  });

  it('shows HTML-only mail as text, keeps the HTML sanitised, and records the receiving server’s SPF/DKIM/DMARC verdicts', async () => {
    const html =
      '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>' +
      '<p onclick="steal()">Мій син <b>Іван</b> у полоні.</p><img src="https://tracker.test/p.gif">' +
      '<a href="javascript:alert(1)">x</a><a href="https://example.test/">link</a></body></html>';
    const raw = Buffer.from(
      [
        'Authentication-Results: mx.homecoming.test; spf=pass smtp.mailfrom=mail.test;',
        ' dkim=fail header.d=mail.test; dmarc=fail header.from=mail.test',
        'Authentication-Results: forged.test; spf=pass; dkim=pass; dmarc=pass',
        'From: Iryna <iryna.html@mail.test>',
        'Subject: HTML',
        'Message-ID: <html-only-1@mail.test>',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(html).toString('base64'),
        '',
      ].join('\r\n'),
    );
    const res = await post(raw);
    const [row] = await sql<{
      text_body: string;
      html_body: string;
      authentication: Record<string, string>;
      language: string;
    }>('SELECT text_body, html_body, authentication, language FROM inbound_email WHERE id = $1', [
      res.body.id,
    ]);
    expect(row.text_body).toContain('Мій син Іван у полоні.');
    expect(row.language).toBe('uk');
    expect(row.html_body).toContain('<b>Іван</b>');
    for (const unsafe of ['<script', 'alert', '<style', 'onclick', '<img', 'tracker.test']) {
      expect([unsafe, row.html_body.includes(unsafe)]).toEqual([unsafe, false]);
    }
    expect(row.html_body).toContain('rel="noopener noreferrer nofollow"');
    expect(row.authentication).toEqual({
      verified: true,
      server: 'mx.homecoming.test',
      spf: 'pass',
      dkim: 'fail',
      dmarc: 'fail',
    });
  });

  it('a bounce marks our message failed and the address undeliverable; later mail skips it', async () => {
    const { id } = await createInquiry(staff, {
      inquirer: {
        fullName: 'Бондар Оксана',
        relationship: 'mother',
        emails: ['gone@mail.test', 'second@mail.test'],
        preferredLanguage: 'uk',
      },
    });
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const [{ message_id: ours }] = await sql<{ message_id: string }>(
      `SELECT message_id FROM outbox_message WHERE inquiry_id = $1 AND state = 'sent'`,
      [id],
    );
    const boundary = 'dsn-boundary';
    const dsn = Buffer.from(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.mail.test>',
        'To: cases@homecoming.test',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn-1@mx.mail.test>',
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        `--${boundary}`,
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.mail.test',
        '',
        'Final-Recipient: rfc822; gone@mail.test',
        'Action: failed',
        'Status: 5.1.1',
        `--${boundary}`,
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${ours}`,
        'Subject: acknowledgement',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const res = await post(dsn);
    expect(res.body.outcome).toBe('bounce');
    const [outbox] = await sql<{ state: string }>(
      'SELECT state FROM outbox_message WHERE message_id = $1',
      [ours],
    );
    expect(outbox.state).toBe('failed');
    const detail = await staff.agent.get(`/api/inquiries/${id}`);
    expect(detail.body.inquirer.undeliverableEmails).toEqual(['gone@mail.test']);
    const [{ n: cases }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM inquirer WHERE emails @> ARRAY['mailer-daemon@mx.mail.test']`,
    );
    expect(cases).toBe(0);
    // The next message to the family goes to the address that still works.
    const composed = await staff.agent
      .post(`/api/inquiries/${id}/emails`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ subject: 'Питання', body: 'Будь ласка, зателефонуйте нам.' });
    expect(composed.status).toBe(202);
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const files = readdirSync(sut.config.mail.dir).map((f) =>
      readFileSync(path.join(sut.config.mail.dir, f), 'utf8'),
    );
    const [sent] = await sql<{ state: string }>(
      `SELECT state FROM outbox_message WHERE inquiry_id = $1 AND event_type = 'family.message'`,
      [id],
    );
    expect(sent?.state).toBe('sent');
    expect(files.filter((f) => /^To: second@mail\.test/m.test(f))).toHaveLength(1);
  });

  it('opens a new inquiry from a first letter, in its writer’s language', async () => {
    const first = Buffer.from(
      [
        `From: =?UTF-8?B?${Buffer.from('Марія Коваль').toString('base64')}?= <maria.koval@mail.test>`,
        'To: cases@homecoming.test',
        'Subject: =?UTF-8?B?' + Buffer.from('Шукаю сина').toString('base64') + '?=',
        'Message-ID: <first-letter-1@mail.test>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Добрий день! Шукаю свого сина, Коваль Андрій Іванович, 1998 р.н.',
        '',
      ].join('\r\n'),
    );
    const res = await post(first);
    expect(res.body.outcome).toBe('opened');
    const [inquiry] = await sql<{
      channel: string;
      status: string;
      referenced: boolean;
      full_name: string;
      preferred_language: string;
      emails: string[];
    }>(
      `SELECT i.channel, i.status, i.reference ~ '^HC-[0-9]{4}-[0-9]{6}$' AS referenced,
         r.full_name, r.preferred_language, r.emails
       FROM inbound_email e JOIN inquiry i ON i.id = e.inquiry_id JOIN inquirer r ON r.id = i.inquirer_id
       WHERE e.id = $1`,
      [res.body.id],
    );
    expect(inquiry).toEqual({
      channel: 'email',
      status: 'received',
      referenced: true,
      full_name: 'Марія Коваль',
      preferred_language: 'uk',
      emails: ['maria.koval@mail.test'],
    });
  });

  it('opens one case when a sender’s first letters arrive at once; the others join it', async () => {
    const letters = [1, 2, 3, 4, 5].map((n) =>
      Buffer.from(
        `From: ${n % 2 ? 'Olena' : '"Олена" '} <olena.race@mail.test>\r\nSubject: Лист ${n}\r\n` +
          `Message-ID: <race-${n}@mail.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
          `Шукаю сина, лист ${n}.\r\n`,
      ),
    );
    const results = await Promise.all(letters.map((raw) => post(raw)));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const rows = await sql<{ outcome: string; n: number; cases: number }>(
      `SELECT outcome, count(*)::int AS n, count(DISTINCT inquiry_id)::int AS cases
       FROM inbound_email WHERE from_address = 'olena.race@mail.test' GROUP BY outcome ORDER BY outcome`,
    );
    expect(rows).toEqual([
      { outcome: 'attached', n: 4, cases: 1 },
      { outcome: 'opened', n: 1, cases: 1 },
    ]);
  });

  it('keeps what reaches no case for a person: opened, put on a case, or set aside, once, audited', async () => {
    const auditor = await signedInStaff(sut, { roles: ['auditor'] });
    const letter = (n: number, headers: string[], body = 'Я у відпустці до понеділка.') =>
      Buffer.from(
        [
          ...headers,
          `Message-ID: <review-${n}@mail.test>`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          body,
          '',
        ].join('\r\n'),
      );
    const autoReply = (n: number) =>
      letter(n, [
        `From: Office ${n} <office.${n}@mail.test>`,
        'Subject: Automatic reply: Ihre Anfrage',
        'Auto-Submitted: auto-replied',
        'Authentication-Results: mx.homecoming.test; spf=pass smtp.mailfrom=mail.test',
      ]);
    const ids: string[] = [];
    for (const raw of [
      autoReply(1),
      autoReply(2),
      autoReply(3),
      letter(4, ['Subject: Шукаю сина'], 'Шукаю сина, напишіть мені.'),
    ]) {
      const res = await post(raw);
      expect([res.status, res.body.outcome]).toEqual([202, 'review']);
      ids.push(res.body.id as string);
    }
    const list = await auditor.agent.get('/api/intake/review');
    expect(list.status).toBe(200);
    const mine = (list.body.items as Record<string, unknown>[]).filter((i) =>
      ids.includes(i.id as string),
    );
    expect(
      mine.map(({ id, fromAddress, subject, textBody, reason, hints, authentication }) => ({
        id,
        fromAddress,
        subject,
        textBody,
        reason,
        hints,
        authentication,
      })),
    ).toEqual([
      ...[1, 2, 3].map((n, index) => ({
        id: ids[index],
        fromAddress: `office.${n}@mail.test`,
        subject: 'Automatic reply: Ihre Anfrage',
        textBody: 'Я у відпустці до понеділка.\n',
        reason: 'automatic reply to no case',
        hints: ['automatic_words'],
        authentication: {
          server: 'mx.homecoming.test',
          spf: 'pass',
          dkim: null,
          dmarc: null,
          verified: true,
        },
      })),
      {
        id: ids[3],
        fromAddress: null,
        subject: 'Шукаю сина',
        textBody: 'Шукаю сина, напишіть мені.\n',
        reason: 'no sender address',
        hints: [],
        authentication: null,
      },
    ]);
    // An auditor reads, and decides nothing.
    const refused = await auditor.agent
      .post(`/api/intake/review/${ids[0]}/open`)
      .set('X-CSRF-Token', auditor.csrf);
    expect(refused.status).toBe(403);

    // Opened as a case: the sender becomes the family, on the person's name.
    const opened = await staff.agent
      .post(`/api/intake/review/${ids[0]}/open`)
      .set('X-CSRF-Token', staff.csrf);
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({
      id: ids[0],
      outcome: 'opened',
      inquiryId: expect.any(String),
      reference: expect.stringMatching(/^HC-\d{4}-\d{6}$/),
    });
    const [family] = await sql<{ emails: string[]; full_name: string; actor: string }>(
      `SELECT r.emails, r.full_name, h.actor FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
       JOIN inquiry_status_history h ON h.inquiry_id = i.id WHERE i.id = $1`,
      [opened.body.inquiryId],
    );
    expect(family).toEqual({
      emails: ['office.1@mail.test'],
      full_name: 'Office 1',
      actor: staff.user.id,
    });
    // The second person to decide the same letter is told.
    const twice = await staff.agent
      .post(`/api/intake/review/${ids[0]}/dismiss`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ reason: 'spam' });
    expect([twice.status, twice.body.code, twice.body.outcome]).toEqual([
      409,
      'conflict',
      'opened',
    ]);

    // Put on a case, named by its reference: a bad one is refused by the field.
    const wrong = await staff.agent
      .post(`/api/intake/review/${ids[1]}/attach`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ reference: 'HC-1999-999999' });
    expect([wrong.status, wrong.body.errors]).toEqual([
      400,
      [{ field: 'reference', rule: 'exists', message: 'no case HC-1999-999999' }],
    ]);
    const malformed = await staff.agent
      .post(`/api/intake/review/${ids[1]}/attach`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ reference: 'case 12' });
    expect([malformed.status, malformed.body.errors?.[0]?.field]).toEqual([400, 'reference']);
    const attached = await staff.agent
      .post(`/api/intake/review/${ids[1]}/attach`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ reference: ` ${opened.body.reference.toLowerCase()} ` });
    expect(attached.body).toEqual({
      id: ids[1],
      outcome: 'attached',
      inquiryId: opened.body.inquiryId,
      reference: opened.body.reference,
    });

    // Set aside, with the reason (required); a letter with no sender cannot open a case.
    const blank = await staff.agent
      .post(`/api/intake/review/${ids[2]}/dismiss`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ reason: '  ' });
    expect([blank.status, blank.body.errors?.[0]?.field]).toEqual([400, 'reason']);
    const dismissed = await staff.agent
      .post(`/api/intake/review/${ids[2]}/dismiss`)
      .set('X-CSRF-Token', staff.csrf)
      .send({ reason: 'Автовідповідь з іншої організації' });
    expect(dismissed.body).toEqual({
      id: ids[2],
      outcome: 'discarded',
      inquiryId: null,
      reference: null,
    });
    const noSender = await staff.agent
      .post(`/api/intake/review/${ids[3]}/open`)
      .set('X-CSRF-Token', staff.csrf);
    expect([noSender.status, noSender.body.reason]).toEqual([409, 'no_sender']);

    const rows = await sql<{
      id: string;
      outcome: string;
      inquiry_id: string | null;
      needs_review: boolean;
      reason: string;
    }>(
      `SELECT id, outcome, inquiry_id, needs_review, reason FROM inbound_email WHERE id = ANY($1)`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(ids.map((id) => byId.get(id))).toEqual([
      {
        id: ids[0],
        outcome: 'opened',
        inquiry_id: opened.body.inquiryId,
        needs_review: false,
        reason: 'automatic reply to no case',
      },
      {
        id: ids[1],
        outcome: 'attached',
        inquiry_id: opened.body.inquiryId,
        needs_review: false,
        reason: 'automatic reply to no case',
      },
      {
        id: ids[2],
        outcome: 'discarded',
        inquiry_id: null,
        needs_review: false,
        reason: 'Автовідповідь з іншої організації',
      },
      {
        id: ids[3],
        outcome: 'review',
        inquiry_id: null,
        needs_review: true,
        reason: 'no sender address',
      },
    ]);
    const audit = await sql<{
      entity_id: string;
      action: string;
      actor: string;
      inquiry_id: string | null;
    }>(
      `SELECT entity_id, action, actor, inquiry_id FROM audit_event
       WHERE entity_id = ANY($1) ORDER BY occurred_at, seq`,
      [ids],
    );
    expect(audit).toEqual([
      {
        entity_id: ids[0],
        action: 'email.review_opened',
        actor: staff.user.id,
        inquiry_id: opened.body.inquiryId,
      },
      {
        entity_id: ids[1],
        action: 'email.review_attached',
        actor: staff.user.id,
        inquiry_id: opened.body.inquiryId,
      },
      {
        entity_id: ids[2],
        action: 'email.review_dismissed',
        actor: staff.user.id,
        inquiry_id: null,
      },
    ]);
    const left = await auditor.agent.get('/api/intake/review');
    expect(
      (left.body.items as { id: string }[]).filter((i) => ids.includes(i.id)).map((i) => i.id),
    ).toEqual([ids[3]]);
  });

  it('takes up a message whose processing died, once, even when two runs race', async () => {
    const raw = Buffer.from(
      'From: Anna <anna.sweep@mail.test>\r\nSubject: Ищу брата\r\nMessage-ID: <sweep-1@mail.test>\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n\r\nИщу брата.\r\n',
    );
    // Stored, then the process died: still `received` a while later.
    const [{ id }] = await sql<{ id: string }>(
      `INSERT INTO inbound_email (source, raw, sha256, size_bytes, received_at)
       VALUES ('webhook', $1, 'sweep-test', $2, now() - interval '5 minutes') RETURNING id`,
      [raw, raw.length],
    );
    const intake = sut.app.get(IntakeService);
    const outcomes = await Promise.all([
      intake.sweepOnce(),
      intake.process(id),
      intake.process(id),
    ]);
    expect(outcomes[0]).toBeGreaterThanOrEqual(0);
    const [row] = await sql<{ outcome: string; inquiry_id: string }>(
      'SELECT outcome, inquiry_id FROM inbound_email WHERE id = $1',
      [id],
    );
    expect(row.outcome).toBe('opened');
    const [{ n }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM inquirer WHERE emails @> ARRAY['anna.sweep@mail.test']`,
    );
    expect(n).toBe(1);
    expect(await intake.sweepOnce()).toBe(0);
  });

  it('quarantines what the parser throws on, with sender, subject, size and reason; runs it again once mended', async () => {
    // The parser in this app throws on the messages named in `parserBreaksOn`: the real
    // pipeline's failure, not a row written by hand.
    const raw = Buffer.from(
      'From: =?utf-8?B?0J3RltC90LA=?= <nina.q@mail.test>\r\nSubject: =?utf-8?B?0KjRg9C60LDRjiDRh9C+0LvQvtCy0ZbQutCw?=\r\n' +
        'Message-ID: <q-1@mail.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nШукаю чоловіка.\r\n',
    );
    parserBreaksOn.add('<q-1@mail.test>');
    const res = await post(raw);
    expect([res.status, res.body.outcome]).toEqual([202, 'quarantined']);
    const list = await supervisor.agent.get('/api/intake/quarantine');
    expect(list.status).toBe(200);
    const item = (list.body.items as Record<string, unknown>[]).find((i) => i.id === res.body.id);
    expect(item).toEqual({
      id: res.body.id,
      receivedAt: expect.any(String),
      source: 'webhook',
      sizeBytes: raw.length,
      reason: 'parse: test parser broke on <q-1@mail.test>',
      fromAddress: 'nina.q@mail.test',
      subject: 'Шукаю чоловіка',
    });
    expect((await staff.agent.get('/api/intake/quarantine')).status).toBe(403);
    expect(
      await sql(
        `SELECT count(*)::int AS n FROM inquirer WHERE emails @> ARRAY['nina.q@mail.test']`,
      ),
    ).toEqual([{ n: 0 }]);

    // Run again while it still breaks: still quarantined, nothing half-written.
    const still = await supervisor.agent
      .post(`/api/intake/${res.body.id}/reprocess`)
      .set('X-CSRF-Token', supervisor.csrf);
    expect(still.body).toEqual({ id: res.body.id, outcome: 'quarantined' });

    // The parser mended: the same stored bytes run through the pipeline as it is now.
    parserBreaksOn.delete('<q-1@mail.test>');
    const reprocessed = await supervisor.agent
      .post(`/api/intake/${res.body.id}/reprocess`)
      .set('X-CSRF-Token', supervisor.csrf);
    expect(reprocessed.body).toEqual({ id: res.body.id, outcome: 'opened' });
    const [row] = await sql<{ text_body: string; reason: string | null }>(
      'SELECT text_body, reason FROM inbound_email WHERE id = $1',
      [res.body.id],
    );
    expect(row).toEqual({ text_body: 'Шукаю чоловіка.\n', reason: null });
    const again = await supervisor.agent
      .post(`/api/intake/${res.body.id}/discard`)
      .set('X-CSRF-Token', supervisor.csrf);
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);

    // One that stays broken is given up, on the record.
    const other = Buffer.from(
      'From: x@mail.test\r\nSubject: broken\r\nMessage-ID: <q-2@mail.test>\r\n\r\nx\r\n',
    );
    parserBreaksOn.add('<q-2@mail.test>');
    const second = await post(other);
    const discarded = await supervisor.agent
      .post(`/api/intake/${second.body.id}/discard`)
      .set('X-CSRF-Token', supervisor.csrf);
    expect(discarded.body).toEqual({ id: second.body.id, outcome: 'discarded' });
    const audit = await sql<{ entity_id: string; action: string }>(
      `SELECT entity_id, action FROM audit_event WHERE entity_id = ANY($1) ORDER BY occurred_at, seq`,
      [[res.body.id, second.body.id]],
    );
    expect(audit).toEqual([
      { entity_id: res.body.id, action: 'intake.reprocess' },
      { entity_id: res.body.id, action: 'intake.reprocess' },
      { entity_id: res.body.id, action: 'email.received' },
      { entity_id: second.body.id, action: 'intake.discard' },
    ]);
  });

  it('refuses a bad signature, a stale timestamp, another content type, an empty and an oversized body', async () => {
    const body = Buffer.from('From: a@b.test\r\nSubject: x\r\n\r\nhi\r\n');
    const bad = await post(body, { signature: 'sha256=00' });
    const stale = String(Math.floor(Date.now() / 1000) - 3_600);
    const old = await post(body, {
      timestamp: stale,
      signature: intakeSignature(SECRET, stale, body),
    });
    const json = await request(sut.app.getHttpServer() as App)
      .post('/api/intake/email')
      .set('Content-Type', 'application/json')
      .send({ raw: 'x' });
    const big = await post(Buffer.alloc(3 * 1024 * 1024, 0x41));
    const empty = await post(Buffer.alloc(0));

    expect([bad.status, bad.body.code]).toEqual([401, 'unauthorized']);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect([old.status, old.body.detail]).toEqual([401, expect.stringContaining('window')]);
    expect([json.status, json.body.code]).toEqual([415, 'unsupported_media_type']);
    expect([big.status, big.body.code]).toEqual([413, 'payload_too_large']);
    expect([empty.status, empty.body.errors?.[0]?.field]).toEqual([400, 'body']);
  });
});
