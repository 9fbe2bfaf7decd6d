import { describe, expect, it } from '@jest/globals';
import { describeFailure, failureKind } from './mail-transport.js';

const smtpError = (code: string, responseCode?: number, response?: string) =>
  Object.assign(new Error(response ?? code), { code, responseCode, response });

describe('SMTP failures', () => {
  it('gives up only on what the server refused for this message for good', () => {
    expect(failureKind(smtpError('EENVELOPE', 550))).toBe('permanent');
    expect(failureKind(smtpError('EMESSAGE', 554))).toBe('permanent');
    expect(failureKind(smtpError('EENVELOPE'))).toBe('permanent');
  });

  it('tries again after 4xx, 503, and failures of the session rather than the message', () => {
    expect(failureKind(smtpError('EENVELOPE', 451))).toBe('temporary');
    expect(failureKind(smtpError('EMESSAGE', 503))).toBe('temporary');
    expect(failureKind(smtpError('EAUTH', 535))).toBe('temporary');
    expect(failureKind(smtpError('ETLS', 554))).toBe('temporary');
    expect(failureKind(smtpError('ECONNECTION'))).toBe('unreachable');
    expect(failureKind(smtpError('ESOCKET'))).toBe('unreachable');
    expect(failureKind(smtpError('ETIMEDOUT'))).toBe('unreachable');
    expect(failureKind(smtpError('ECONNECTION', 421))).toBe('temporary');
    expect(failureKind(new Error('socket hang up'))).toBe('temporary');
  });

  it('keeps addresses and quoted names out of what it stores and logs', () => {
    const text = describeFailure(
      smtpError(
        'EENVELOPE',
        550,
        `550 5.1.1 <olga.petrova@mail.ru>: unknown; also "Ольга Петрова"@mail.ru, o'brien@x.test and <ivan.petrenko>`,
      ),
    );
    expect(text).toMatch(/^EENVELOPE 550 550 5\.1\.1 <address>: unknown;/);
    for (const secret of ['olga', 'Ольга', 'brien', 'ivan', 'mail.ru', 'x.test']) {
      expect(text).not.toContain(secret);
    }
  });
});
