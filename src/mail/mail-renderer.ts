import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FAMILY_NOTICES } from '../disclosure/family-notices.js';

export const MAIL_LANGUAGES = ['ru', 'uk', 'en'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

// Every message homecoming sends: one template per event and language under templates/<lang>/.
export const MAIL_EVENTS = [
  ...FAMILY_NOTICES,
  'staff.inquiry_assigned',
  'staff.new_email',
  'staff.callback_overdue',
  'staff.crossing_overdue',
] as const;
export type MailEvent = (typeof MAIL_EVENTS)[number];

export const isMailEvent = (event: string): event is MailEvent =>
  (MAIL_EVENTS as readonly string[]).includes(event);

// Family mail is written by people for people; the rest is generated (RFC 3834).
export const isAutomatic = (event: MailEvent) => event !== 'family.message';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  language: MailLanguage;
}

// What a template may use. Everything here may have been typed by a family or a member of staff:
// it is escaped in the HTML part, and stripped of line breaks in the subject.
export type MailData = { reference: string } & Record<string, unknown>;

interface Compiled {
  subject: { text: Handlebars.TemplateDelegate };
  body: { text: Handlebars.TemplateDelegate; html: Handlebars.TemplateDelegate };
}

const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

// Only letters' worth of a subject: no CR/LF (header injection), no other control characters.
const oneLine = (s: string) =>
  s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

// Renders the message for an event in a language: subject "[HC-…] …", a plain-text body and an
// HTML body made from the same template (paragraphs), each with the language's footer. The
// templates are files reviewed like code; they hold no HTML, so the only markup in the HTML part
// is the frame's.
@Injectable()
export class MailRenderer {
  private readonly compiled = new Map<string, Compiled>();
  private readonly footers = new Map<MailLanguage, Compiled['body']>();

  constructor() {
    const handlebars = Handlebars.create();
    handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    const compile = (source: string) => ({
      text: handlebars.compile(source, { noEscape: true, strict: false }),
      html: handlebars.compile(source, { strict: false }),
    });
    for (const language of MAIL_LANGUAGES) {
      this.footers.set(language, compile(read(language, '_footer')));
      for (const event of MAIL_EVENTS) {
        const source = read(language, event);
        const match = /^Subject: (.*)\n\n([\s\S]*)$/.exec(source);
        if (!match) throw new Error(`templates/${language}/${event}.hbs: must start "Subject: …"`);
        this.compiled.set(`${language}/${event}`, {
          subject: { text: handlebars.compile(match[1], { noEscape: true }) },
          body: compile(match[2].trimEnd()),
        });
      }
    }
  }

  render(event: MailEvent, language: MailLanguage, data: MailData): RenderedMail {
    const template = this.compiled.get(`${language}/${event}`)!;
    const footer = this.footers.get(language)!;
    const subject = `[${oneLine(data.reference)}] ${oneLine(template.subject.text(data))}`;
    const text = `${template.body.text(data).trim()}\n\n${footer.text(data).trim()}\n`;
    const html = frame(language, subject, [
      ...paragraphs(template.body.html(data)),
      ...paragraphs(footer.html(data)).map((p) => `<small>${p}</small>`),
    ]);
    return { subject, text, html, language };
  }
}

function read(language: MailLanguage, name: string): string {
  return readFileSync(`${TEMPLATES}${language}/${name}.hbs`, 'utf8').replace(/\r\n/g, '\n');
}

// Already escaped text → <p> per blank-line-separated paragraph, <br> per line.
function paragraphs(escaped: string): string[] {
  return escaped
    .trim()
    .split(/\n{2,}/)
    .map((p) => p.split('\n').join('<br>\n'));
}

function frame(language: MailLanguage, subject: string, body: string[]): string {
  const title = Handlebars.escapeExpression(subject);
  return `<!doctype html>
<html lang="${language}">
<head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; max-width: 40em;">
${body.map((p) => `<p>${p}</p>`).join('\n')}
</body>
</html>
`;
}
