import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactHeaders, redactValue, scrubText, scrubUrl } from './redaction.util.js';

describe('scrubText', () => {
  it.each([
    ['write to olga.petrova@mail.ru today', 'write to [email] today'],
    ['<ivan_1979@yandex.ru>', '<[email]>'],
    ['пишите ольга@почта.рф', 'пишите [email]'],
    ['call +7 (916) 123-45-67 back', 'call [phone] back'],
    ['call +380441234567', 'call [phone]'],
    ['call 8 916 123 45 67', 'call [phone]'],
  ])('masks %j', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it.each([
    'HC-2026-000123',
    'took 1234 ms',
    '2026-11-29T05:34:00.000Z',
    'request 0b6e7e36-3c39-4d4e-9f0a-5d1c2b7e8a90',
    'outbox 12345678-9012-4345-99e7-cf5e72667a9b sent',
    'at /app/node_modules/@nestjs/core/router/router-proxy.js:9:17',
  ])('leaves %j alone', (input) => {
    expect(scrubText(input)).toBe(input);
  });
});

describe('redactValue', () => {
  it('masks secrets and personal fields at any depth, keeps the rest', () => {
    const sut = redactValue({
      inquiryId: 'HC-2026-000001',
      password: 'hunter2',
      inquirer: { fullName: 'Ольга Петрова', phones: ['+79161234567'], language: 'ru' },
      nested: [{ accessToken: 'abc', note: 'reach me at o@x.ru' }],
    });

    expect(sut).toEqual({
      inquiryId: 'HC-2026-000001',
      password: REDACTED,
      inquirer: { fullName: REDACTED, phones: REDACTED, language: 'ru' },
      nested: [{ accessToken: REDACTED, note: 'reach me at [email]' }],
    });
  });
});

describe('scrubUrl', () => {
  it('keeps the path and the query keys, never the values', () => {
    expect(scrubUrl('/api/inquiries?q=Петрова&email=a@b.c')).toBe(
      `/api/inquiries?q=${REDACTED}&email=${REDACTED}`,
    );
  });

  it.each([
    ['/status/uIMeeINiWHQZppXBZTHyANlTpOB41liEjPl_TVO1BHU', `/status/${REDACTED}`],
    ['/status/short', `/status/${REDACTED}`],
    ['/status/x?lang=uk', `/status/${REDACTED}?lang=${REDACTED}`],
    ['/api/reset/0123456789abcdefABCDEF_-xyz/confirm', `/api/reset/${REDACTED}/confirm`],
    [
      '/api/inquiries/0b6e7e36-3c39-4d4e-9f0a-5d1c2b7e8a90/calls',
      '/api/inquiries/0b6e7e36-3c39-4d4e-9f0a-5d1c2b7e8a90/calls',
    ],
    ['/api/reports/time-in-state', '/api/reports/time-in-state'],
    ['/status/', '/status/'],
  ])('drops secrets from the path: %s', (url, expected) => {
    expect(scrubUrl(url)).toBe(expected);
  });
});

describe('redactHeaders', () => {
  it('masks credentials and keeps the rest', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer x',
        cookie: 'sid=1',
        'x-csrf-token': 't',
        'user-agent': 'curl',
      }),
    ).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'x-csrf-token': REDACTED,
      'user-agent': 'curl',
    });
  });
});
