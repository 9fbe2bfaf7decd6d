import { describe, expect, it } from '@jest/globals';
import { CLOSINGS } from '../src/disclosure/family-view.js';
import {
  MAIL_EVENTS,
  MAIL_LANGUAGES,
  MailRenderer,
  type MailData,
} from '../src/mail/mail-renderer.js';

// Realistic data for every template, with a name that tries to inject HTML and a header.
const DATA: MailData = {
  reference: 'HC-2026-000123',
  inquirerName: 'Петрова Ольга <script>alert(1)</script>',
  soughtPersonName: 'Петров Алексей Сергеевич',
  staffName: 'Олена Коваль',
  status: 'verifying',
  statusName: 'verifying',
  closing: 'no_information',
  reason: 'Копия свидетельства о рождении & фото <b>паспорта</b>',
  phone: '+79161234567',
  windowStart: '30 November 2026, 14:00',
  windowEnd: '15:00',
  timeZone: 'Europe/Kyiv',
  confirmed: true,
  subject: 'Документы\r\nBcc: everyone@example.org',
  body: 'Спасибо за документы.\n\nМы свяжемся с вами.',
};

// A phrase each language's template must contain, so an English text in the Russian file (or a
// template that renders nothing) fails.
const GREETING = { en: /Dear|Hello/, ru: /Здравствуйте/, uk: /Добрий день/ };

describe('mail templates', () => {
  const renderer = new MailRenderer();

  for (const language of MAIL_LANGUAGES) {
    for (const event of MAIL_EVENTS) {
      it(`${event} in ${language}: subject tagged, text and HTML complete, input escaped`, () => {
        const mail = renderer.render(event, language, DATA);

        expect(mail.subject).toMatch(/^\[HC-2026-000123\] \S/);
        expect(mail.subject).not.toMatch(/[\r\n]/);
        expect(mail.text).toMatch(GREETING[language]);
        expect(mail.text).toContain('HC-2026-000123');
        for (const part of [mail.subject, mail.text, mail.html]) {
          expect(part).not.toMatch(/\{\{|\}\}/);
        }
        const addressed = event.startsWith('staff.') ? 'Олена Коваль' : 'Петрова Ольга';
        expect(mail.text).toContain(addressed);
        // Typed by people: verbatim in the text part, escaped in the HTML part.
        expect(mail.html).not.toContain('<script>');
        expect(mail.html).not.toContain('<b>паспорта');
        expect(mail.html).toContain(`<html lang="${language}">`);
        // Every family letter about the case names whom it is about (a call needs no name).
        if (
          event.startsWith('family.') &&
          !['family.message', 'family.callback_scheduled'].includes(event)
        ) {
          expect(mail.text).toContain('Петров Алексей Сергеевич');
        }
      });
    }
  }

  it('says what is missing, escaped in HTML, when information is requested', () => {
    const mail = renderer.render('family.information_requested', 'ru', DATA);
    expect(mail.text).toContain('Копия свидетельства о рождении & фото <b>паспорта</b>');
    expect(mail.html).toContain(
      'Копия свидетельства о рождении &amp; фото &lt;b&gt;паспорта&lt;/b&gt;',
    );
  });

  it('words each closing the gate may give humanely and differently', () => {
    for (const language of MAIL_LANGUAGES) {
      const texts = CLOSINGS.map(
        (closing) => renderer.render('family.case_closed', language, { ...DATA, closing }).text,
      );
      expect(new Set(texts).size).toBe(CLOSINGS.length);
      for (const text of texts) expect(text.split('\n')[2].length).toBeGreaterThan(40);
    }
  });

  it('never words a family’s letter by the case’s status: a closing is what the gate gives', () => {
    for (const language of MAIL_LANGUAGES) {
      for (const event of MAIL_EVENTS.filter((e) => e.startsWith('family.'))) {
        const as = (status: string) => renderer.render(event, language, { ...DATA, status }).text;
        expect(as('closed_declined_by_prisoner')).toBe(as('closed_not_found'));
      }
    }
  });

  it('keeps a caseworker’s subject on one line: no header injection', () => {
    const mail = renderer.render('family.message', 'uk', DATA);
    expect(mail.subject).toBe('[HC-2026-000123] Документы Bcc: everyone@example.org');
    expect(mail.text).toContain('Спасибо за документы.\n\nМы свяжемся с вами.');
    expect(mail.text).toContain('Олена Коваль');
  });

  // A family who hear by phone get each notice as a call a staff member makes with its words:
  // nothing in them may ask to reply to a letter or to keep a subject line.
  const EMAIL_WORDS = { ru: /письм|ответьте/i, uk: /лист|дайте відповідь/i, en: /email|reply/i };
  for (const language of MAIL_LANGUAGES) {
    it(`words every family notice in ${language} for a call when told by phone`, () => {
      for (const event of MAIL_EVENTS.filter((e) => e.startsWith('family.'))) {
        if (event === 'family.callback_scheduled' || event === 'family.message') continue;
        const said = renderer.render(event, language, { ...DATA, byPhone: true }).text;
        const written = renderer.render(event, language, DATA).text;
        expect([event, EMAIL_WORDS[language].test(said)]).toEqual([event, false]);
        expect([event, EMAIL_WORDS[language].test(written)]).toEqual([event, true]);
      }
    });
  }
});
