import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = '../shared/fixtures/email/real';

export interface Decoded {
  subject: string;
  fromName?: string;
  // A phrase of the body as the timeline shows it (absent: the message has no text of its own).
  text?: string;
  attachments?: string[];
}

// The Cyrillic fixtures (see SOURCES.md), as a caseworker must read them: subject, sender's
// display name, a phrase of the body and attachment names, decoded exactly.
export const CYRILLIC: Record<string, Decoded> = {
  'flanker-yahoo-ru-en-utf8-b-subject-qp-body.eml': {
    subject: 'Simple text. How are you? Как ты поживаешь?',
    text: 'А эта линия по-русски.',
  },
  'imaptools-raw-utf8-ru-subject-content-id.eml': {
    subject: 'Пример email с вложением и Content-ID',
    text: 'текстовое сообщение с вложением',
  },
  'imaptools-thunderbird-cp1251-8bit-nested-utf8-8bit.eml': {
    subject: 'S19 IZM A7-342',
    fromName: 'Каукин Владимир',
    text: 'отдел расписания',
  },
  'rt-raw-8bit-cp1251-headers-html-only.eml': {
    subject: 'Приглашаем руководителя, начальников подразделений на тренинг',
    fromName: 'Учебный Центр',
    text: 'МОТИВАЦИЯ КАК ИНСТРУМЕНТ УПРАВЛЕНИЯ ПЕРСОНАЛОМ',
  },
  'rt-raw-8bit-koi8r-subject-no-mime.eml': {
    subject: 'тест тест',
    fromName: 'Dmitry S. Sivachenko',
    text: 'феуф',
  },
  'sisimai-yandex-dsn-ru-utf8-subject.eml': {
    subject: 'Недоставленное сообщение',
    text: 'Это письмо отправлено почтовым сервером yandex.ru.',
  },
  'sisimai-mailru-bounce-ru-utf8-subject.eml': {
    subject: 'Ваше сообщение не доставлено. Mail failure.',
    text: 'Это письмо создано автоматически сервером Mail.Ru, отвечать на него не нужно.',
  },
  'sisimai-mailru-bounce-8bit-utf8-body-with-original.eml': {
    subject: 'Ваше сообщение не доставлено. Mail failure.',
    text: 'К сожалению, Ваше письмо не может быть доставлено одному или нескольким получателям',
  },
  'imaptools-yandex-service-html-inline-jpeg.eml': {
    subject: 'Соберите всю почту в этот ящик',
    fromName: 'Яндекс',
    text: 'Если у Вас уже есть почтовые ящики, куда приходят письма',
    attachments: ['collector.jpg'],
  },
  'imaptools-yandex-web-utf8-from-base64-rfc822-attachments.eml': {
    subject: 'eml attachments',
    fromName: 'Каукин Владимир',
    text: 'two attach',
    attachments: ['yandex_email.eml', 'yandex_email.eml'],
  },
  'imaptools-thunderbird-ru-subject-forward-as-attachment.eml': {
    subject: 'статус',
    attachments: ['Contract 25 04 2020.docx'],
  },
  'imaptools-mailru-newsletter-related-inline-png.eml': {
    subject: 'Mail.Ru – больше, чем почта. Познакомьтесь с проектами Mail.Ru Group',
    fromName: 'Команда Почты Mail.Ru',
    text: 'Здравствуйте',
  },
  'flanker-malformed-headers-8bit.eml': {
    // Raw UTF-8 with a stray byte at the end of the name.
    subject: 'ґ!',
    fromName: 'Юникод запрещен',
  },
  'flanker-yahoo-raw-8bit-cyrillic-filename-truncated.eml': {
    subject: 'Hello',
    fromName: 'Bob',
    text: 'Hello',
    // Raw 8-bit UTF-8, cut in the middle of a character by the sender's client.
    attachments: ['Картинка с очень, очень длинным предлинным именем преименем таким чт'],
  },
};

// The SHA-256 a stored copy may have: of the file, or of the file with CRLF line ends (what an
// IMAP server gives back).
export function storedHashes(file: string): string[] {
  const raw = readFileSync(path.join(FIXTURES, file));
  const crlf = Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  return [...new Set([raw, crlf].map((b) => createHash('sha256').update(b).digest('hex')))];
}

type Sql = <T>(text: string, params?: unknown[]) => Promise<T[]>;

export async function expectCyrillicDecoded(sql: Sql): Promise<void> {
  for (const [file, want] of Object.entries(CYRILLIC)) {
    const [row] = await sql<{
      subject: string;
      from_name: string | null;
      text_body: string | null;
      attachments: string[];
    }>(
      `SELECT e.subject, e.from_name, e.text_body,
         array(SELECT a.filename FROM inbound_attachment a WHERE a.inbound_email_id = e.id
               ORDER BY a.position) AS attachments
       FROM inbound_email e WHERE e.sha256 = ANY($1)`,
      [storedHashes(file)],
    );
    expect([file, row !== undefined]).toEqual([file, true]);
    expect([file, row.subject.trim().startsWith(want.subject)]).toEqual([file, true]);
    if (want.fromName) expect([file, row.from_name]).toEqual([file, want.fromName]);
    if (want.text) expect([file, row.text_body?.includes(want.text)]).toEqual([file, true]);
    if (want.attachments) expect([file, row.attachments]).toEqual([file, want.attachments]);
    const shown = `${row.subject}${row.from_name ?? ''}${row.text_body ?? ''}${row.attachments.join('')}`;
    expect([file, /\uFFFD/.test(shown)]).toEqual([file, false]);
  }
}
