import { expect } from '@jest/globals';

// The one expected outcome of every real-world fixture in ../shared/fixtures/email/real, the same
// through both doors (the webhook, IMAP) when they arrive in name order on an empty database.

// A subject too long to write out: its beginning and its length.
const long = (start: string, length: number) => ({ start, length });
type Expected = 'opened' | 'bounce' | { attached: string } | { review: string };

// Every real-world fixture, in the order the test posts them (by name), with its ONE outcome and
// the sender and subject as decoded. `attached` names the fixture whose case it joins (the same
// sender's open case); a review names why it waits for a person.
export const FIXTURE_OUTCOMES: [
  string,
  Expected,
  string | null,
  string | null | ReturnType<typeof long>,
][] = [
  ['flanker-bounce-broken-mime.eml', 'bounce', 'postmaster@example.com', 'Undeliverable Mail'],
  ['flanker-dashed-boundaries.eml', 'opened', 'me@example.com', 'Hi'],
  ['flanker-encoded-from-display-name-with-comma.eml', 'opened', 'foo.bar@example.com', 'hello'],
  [
    'flanker-false-multipart-no-boundary.eml',
    'opened',
    'broken.mime@notreallymultipart.com',
    'Broken MIME',
  ],
  [
    'flanker-gmail-dsn-plain-text.eml',
    'bounce',
    'mailer-daemon@googlemail.com',
    'Delivery Status Notification (Failure)',
  ],
  [
    'flanker-gmail-fwd-multipart-alternative.eml',
    'opened',
    'hello@example.com',
    'Fwd: Please forward this email to me',
  ],
  ['flanker-iphone-mail-image-attachment.eml', 'opened', 'someone@somewhere.com', 'Subject'],
  ['flanker-malformed-headers-8bit.eml', 'opened', 'headers@gmail.com', 'ґ!'],
  [
    'flanker-mdn-read-receipt.eml',
    { review: 'automatic reply to no case' },
    'joe_recipient@example.com',
    'Disposition notification',
  ],
  [
    'flanker-multipart-missing-boundaries.eml',
    { attached: 'flanker-dashed-boundaries.eml' },
    'me@example.com',
    null,
  ],
  [
    'flanker-multipart-missing-final-boundary.eml',
    { attached: 'flanker-dashed-boundaries.eml' },
    'me@example.com',
    'Test',
  ],
  ['flanker-nested-rfc822-bad-encoding.eml', 'opened', 'bob@example.net', 'Wow'],
  [
    'flanker-nested-rfc822-broken.eml',
    { attached: 'flanker-nested-rfc822-bad-encoding.eml' },
    'bob@example.net',
    'Wow',
  ],
  ['flanker-no-content-type.eml', 'opened', 'bob@marley.com', 'Testing message parsing'],
  [
    'flanker-office365-ndr-multipart-report.eml',
    'bounce',
    'postmaster@example.no',
    'Undeliverable: test_bounce 8',
  ],
  ['flanker-outlook-express-octet-stream-root.eml', 'opened', 'bob@example.com', 'Sup?'],
  [
    'flanker-pdf-attachment-odd-ctype.eml',
    { review: 'no sender address' },
    null,
    'test message via curl - extra content-type (_001_)',
  ],
  [
    'flanker-spam-broken-headers-8bit.eml',
    'opened',
    'admin@advertise-bz.cn',
    'Forget Asking For A Link Exchange…',
  ],
  [
    'flanker-thunderbird-nested-rfc822.eml',
    { attached: 'flanker-nested-rfc822-bad-encoding.eml' },
    'bob@example.net',
    'Wow',
  ],
  [
    'flanker-very-long-header-line.eml',
    { attached: 'flanker-outlook-express-octet-stream-root.eml' },
    'bob@example.com',
    long('Die heiße Zypernsonne quälte Max und Vic', 2000),
  ],
  [
    'flanker-yahoo-raw-8bit-cyrillic-filename-truncated.eml',
    'opened',
    'mailboxaddr1234567@yahoo.com',
    'Hello',
  ],
  [
    'flanker-yahoo-ru-en-utf8-b-subject-qp-body.eml',
    { attached: 'flanker-gmail-fwd-multipart-alternative.eml' },
    'hello@example.com',
    'Simple text. How are you? Как ты поживаешь?',
  ],
  ['imaptools-charset-x-unknown.eml', 'opened', 'xxx@xxxx.xxx', null],
  [
    'imaptools-dsn-text-rfc822-headers.eml',
    'bounce',
    'mailer-daemon@tttttt.com.au',
    'Returned mail: see transcript for details',
  ],
  [
    'imaptools-duplicate-to-cc-replyto-headers.eml',
    'opened',
    'kaukinvk@yandex.ru',
    'double_fields',
  ],
  [
    'imaptools-mailru-newsletter-related-inline-png.eml',
    'opened',
    'welcome@corp.mail.ru',
    'Mail.Ru – больше, чем почта. Познакомьтесь с проектами Mail.Ru Group',
  ],
  [
    'imaptools-outlook-express-illegal-boundary.eml',
    'opened',
    'email_test@me.nowhere',
    'Testing outlook',
  ],
  [
    'imaptools-raw-utf8-ru-subject-content-id.eml',
    'opened',
    'sender@example.com',
    'Пример email с вложением и Content-ID',
  ],
  [
    'imaptools-thunderbird-cp1251-8bit-nested-utf8-8bit.eml',
    'opened',
    'k1@yandex.ru',
    'S19 IZM A7-342',
  ],
  [
    'imaptools-thunderbird-reply-in-reply-to.eml',
    'opened',
    'xxxxxxxx@xxx.org',
    'Re: Test reply email',
  ],
  [
    'imaptools-thunderbird-ru-subject-forward-as-attachment.eml',
    'opened',
    'i.kor@company.ru',
    'статус',
  ],
  [
    'imaptools-yandex-service-html-inline-jpeg.eml',
    'opened',
    'hello@yandex.ru',
    'Соберите всю почту в этот ящик',
  ],
  [
    'imaptools-yandex-web-utf8-from-base64-rfc822-attachments.eml',
    { attached: 'imaptools-duplicate-to-cc-replyto-headers.eml' },
    'kaukinvk@yandex.ru',
    'eml attachments',
  ],
  [
    'phpmmp-duplicate-message-id-of-m0001.eml',
    'opened',
    'name@company.com',
    'Mail avec fichier attaché de 1ko',
  ],
  [
    'phpmmp-emclient-10-attachments.eml',
    'opened',
    'test@test.com',
    'Email with 10 attachments and only plain text content part',
  ],
  [
    'phpmmp-exchange-autoreply-win1250-subject-wrong-body-charset.eml',
    { review: 'no sender address' },
    null,
    'Automatyczna odpowiedź: Piotrze, test z 6 miesięcy nauki ciągle na Ciebie czeka',
  ],
  ['phpmmp-exchange-dsn-gb2312.eml', 'bounce', 'foo@bar.de', null],
  [
    'phpmmp-gmail-attachment-iso8859-1-subject.eml',
    { attached: 'phpmmp-duplicate-message-id-of-m0001.eml' },
    'name@company.com',
    'Mail avec fichier attaché de 1ko',
  ],
  [
    'phpmmp-multiple-from-headers-rfc2047-filename.eml',
    'opened',
    'dwsauder@example.com',
    'Test message with multiple From headers',
  ],
  [
    'phpmmp-x-mac-cyrillic-newsletter.eml',
    'opened',
    'science@news-s.info',
    'Scientific conferences, Bulgaria 2019',
  ],
  ['phpmmp-zimbra-forward-rfc822-in-reply-to.eml', 'opened', 'example@example.com', 'Fwd: Test 5'],
  ['rt-apple-mail-attached-eml.eml', 'opened', 'user1@example.com', 'This is a test'],
  [
    'rt-dsn-multipart-report.eml',
    'bounce',
    'mailer-daemon@other.example.com',
    'Returned mail: User unknown',
  ],
  [
    'rt-gnus-forward-nested-rfc822-mailing-list.eml',
    'opened',
    'jonas@example.com',
    '[Jonas Liljegren] Re: [Para] Nivåer?',
  ],
  [
    'rt-kmail-forward-inline-rfc822.eml',
    'opened',
    'drstas@d.example.com',
    'Fwd: scanning my ports',
  ],
  [
    'rt-nested-mime-digest.eml',
    'opened',
    'xxxxxx_yyyyyyy@some.net',
    'Example MIME within MIME within MIME message',
  ],
  ['rt-outlook-attached-message-rfc822.eml', 'opened', 'root@localhost', 'msg attachment'],
  [
    'rt-raw-8bit-cp1251-headers-html-only.eml',
    'opened',
    'rickt@other-example.com',
    long('Приглашаем руководителя, начальников под', 158),
  ],
  ['rt-raw-8bit-koi8r-subject-no-mime.eml', 'opened', 'mitya@fling-wing.example.com', 'тест тест'],
  [
    'rt-rfc2231-filename-continuations.eml',
    { attached: 'rt-outlook-attached-message-rfc822.eml' },
    'root@localhost',
    'Client ? Japanese Attachment Name issue',
  ],
  [
    'rt-very-long-subject.eml',
    'opened',
    'foo@example.com',
    long('0123456789012345678901234567890123456789', 300),
  ],
  [
    'sisimai-autoreplied-bounce-notification-alt.eml',
    'bounce',
    'postmaster@yyyyyy.de',
    'email bounce notification',
  ],
  [
    'sisimai-exchange2007-ndr-original-with-inline-jpeg.eml',
    'bounce',
    'postmaster@example.edu',
    'Undeliverable: Nyaan',
  ],
  [
    'sisimai-forward-original-as-rfc822-attachment.eml',
    'opened',
    'dummy@example.com',
    'original as attachment',
  ],
  [
    'sisimai-gmail-dsn-related-html-original-qp-utf8.eml',
    'bounce',
    'mailer-daemon@googlemail.com',
    'Delivery Status Notification (Failure)',
  ],
  [
    'sisimai-gmail-dsn-zero-byte-icon-attachment.eml',
    'bounce',
    'mailer-daemon@googlemail.com',
    'Delivery Status Notification (Failure)',
  ],
  [
    'sisimai-mailru-bounce-8bit-utf8-body-with-original.eml',
    'bounce',
    'mailer-daemon@corp.mail.ru',
    'Ваше сообщение не доставлено. Mail failure.',
  ],
  [
    'sisimai-mailru-bounce-ru-utf8-subject.eml',
    'bounce',
    'mailer-daemon@corp.mail.ru',
    'Ваше сообщение не доставлено. Mail failure.',
  ],
  [
    'sisimai-rfc3834-automatic-reply-windows1252.eml',
    { review: 'automatic reply to no case' },
    'kijitora@example.org',
    'Automatic reply: Nyaan',
  ],
  [
    'sisimai-rfc3834-autoreply-away.eml',
    { review: 'automatic reply to no case' },
    'kijitora@example.net',
    'Away until May 5',
  ],
  [
    'sisimai-rfc3834-autoresponse-precedence-bulk.eml',
    { review: 'automatic reply to no case' },
    'noreply@example.com',
    'AutoRespons :Nyaan?',
  ],
  [
    'sisimai-rfc3834-outlook-automatic-reply.eml',
    { review: 'automatic reply to no case' },
    'nekonyaan@example.org',
    'Automatic reply: Nyaan',
  ],
  [
    'sisimai-sendmail-double-nested-bounce-windows1251-oe.eml',
    'bounce',
    'mailer-daemon@mx2.example.jp',
    'Postmaster notify: see transcript for details',
  ],
  [
    'sisimai-yandex-dsn-ru-utf8-subject.eml',
    'bounce',
    'mailer-daemon@yandex.ru',
    'Недоставленное сообщение',
  ],
];

// The outcomes counted after all of them.
export const FIXTURE_TOTALS = [
  { outcome: 'attached', n: 9 },
  { outcome: 'bounce', n: 14 },
  { outcome: 'opened', n: 34 },
  { outcome: 'review', n: 7 },
];

type Query = <T>(text: string, params?: unknown[]) => Promise<T[]>;

// Checks the stored message `id` against what `file` must come to; `caseOf` collects the case each
// fixture opened, for the ones after it that join it.
export async function expectFixtureOutcome(
  sql: Query,
  file: string,
  id: string,
  caseOf: Map<string, string>,
): Promise<void> {
  const [, expected, from, subject] = FIXTURE_OUTCOMES.find(([name]) => name === file)!;
  const [row] = await sql<{
    outcome: string;
    inquiry_id: string | null;
    needs_review: boolean;
    from_address: string | null;
    subject: string | null;
    reason: string | null;
  }>(
    `SELECT outcome, inquiry_id, needs_review, from_address, subject, reason
     FROM inbound_email WHERE id = $1`,
    [id],
  );
  expect([file, row.from_address]).toEqual([file, from]);
  if (subject && typeof subject === 'object') {
    expect([file, row.subject?.slice(0, subject.start.length), row.subject?.length]).toEqual([
      file,
      subject.start,
      subject.length,
    ]);
  } else {
    expect([file, row.subject]).toEqual([file, subject]);
  }
  if (expected === 'opened') {
    expect([file, row.outcome, row.needs_review]).toEqual([file, 'opened', false]);
    caseOf.set(file, row.inquiry_id!);
  } else if (expected === 'bounce') {
    expect([file, row.outcome, row.reason]).toEqual([file, 'bounce', 'not about our mail']);
  } else if ('attached' in expected) {
    expect([file, row.outcome, row.inquiry_id, row.needs_review]).toEqual([
      file,
      'attached',
      caseOf.get(expected.attached),
      false,
    ]);
  } else {
    expect([file, row.outcome, row.inquiry_id, row.needs_review, row.reason]).toEqual([
      file,
      'review',
      null,
      true,
      expected.review,
    ]);
  }
}
