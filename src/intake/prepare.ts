import { convert as htmlToText } from 'html-to-text';
import type { AddressObject, ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import {
  inspectAttachments,
  type AttachmentLimits,
  type InspectedAttachment,
} from './attachments.js';
import { cleanHeaderText, declaresMissingBoundary, recoverText } from './broken-mime.js';
import type { AuthenticationResults } from './inbound-email.entity.js';
import { recoverRawCyrillic, split } from './raw-cyrillic.js';

// The part of mail intake that needs no database: hashing, parsing, the attachments looked
// into, the classification. (Tried on a worker thread: on two cores it cost more CPU per
// message than it saved the main thread, and 70 MB more memory.)

// Words that often stand in an automatic reply's subject. Never enough to decide: a mother
// writing that her son is "відсутній" is not an out-of-office message. They only add a hint to a
// letter that is still filed where a person sees it.
const OUT_OF_OFFICE =
  /\b(out of (the )?office|automatic reply|auto-?reply|autoreply|vacation)\b|автоответ|автоматический ответ|нет на месте|в отпуске|автовідповідь|відсутн/i;

export type Classification = 'normal' | 'auto_reply' | 'bounce' | 'list' | 'loop';

// Why a letter might be automatic without the headers saying so: shown to the person who reads
// it, never acted on.
export type Hint = 'automatic_words' | 'bulk_precedence';

export interface Facts {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  authentication: AuthenticationResults | null;
  language: 'ru' | 'uk' | 'en' | 'other';
}

export interface PrepareOptions {
  // Our Message-ID domain: mail carrying it back to us is a loop.
  domain: string;
  // Every address we send from or take mail at (lower case): a letter from one of them, or
  // carrying one in X-Loop, is our own come back.
  ourAddresses: readonly string[];
  // The receiving servers whose Authentication-Results count (their authserv-ids).
  authservIds: readonly string[];
  limits: AttachmentLimits;
  // The MIME parser (MailParser.parse).
  parse: (raw: Buffer) => Promise<ParsedMail>;
}

export interface Prepared {
  facts: Facts;
  attachments: InspectedAttachment[];
  kind: Classification;
  hints: Hint[];
}

// Every message is hashed (the raw bytes, and its body for the same message come by another
// path); `prepared` is what the pipeline made of it, or `failed` the step it broke at.
export interface PrepareResult {
  sha256: string;
  contentSha256: string;
  messageId: string | null;
  prepared?: Prepared;
  failed?: { step: string; error: string };
}

export async function prepareMessage(raw: Buffer, options: PrepareOptions): Promise<PrepareResult> {
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const contentSha256 = createHash('sha256').update(split(raw).body).digest('hex');
  let step = 'parse';
  let messageId: string | null = null;
  try {
    const parsed = await options.parse(raw);
    const facts = factsOf(parsed, raw, options.authservIds);
    messageId = facts.messageId;
    step = 'attachments';
    const attachments = await inspectAttachments(parsed.attachments, options.limits);
    step = 'classify';
    const { kind, hints } = classify(parsed, facts, options);
    return { sha256, contentSha256, messageId, prepared: { facts, attachments, kind, hints } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { sha256, contentSha256, messageId, failed: { step, error: message } };
  }
}

// The words of the HTML. mailparser joins a message's HTML parts one after another, and
// html-to-text reads only the first <body> it meets: so every document's head is dropped and its
// <html> and <body> tags with it, and all the words are read.
function textOfHtml(html: string): string {
  const bodies = html
    .replace(/<head[\s>][\s\S]*?<\/head\s*>/gi, '')
    .replace(/<\/?(html|body)\b[^>]*>/gi, '');
  return htmlToText(bodies, { wordwrap: false });
}

// Automatic mail is known by its headers alone, and what is in doubt is a person's letter:
// - loop: our own mail come back (our Message-ID domain; From, Sender or Return-Path one of our
//   addresses; our X-Loop);
// - bounce: a delivery status report, or from the mailer daemon;
// - auto_reply: RFC 3834 Auto-Submitted, the vendors' auto-reply headers, Precedence: auto_reply,
//   a read receipt (disposition notification);
// - list: List-Id, List-Unsubscribe, List-Post, Precedence: list.
export function classify(
  parsed: ParsedMail,
  facts: Facts,
  options: Pick<PrepareOptions, 'domain' | 'ourAddresses'>,
): { kind: Classification; hints: Hint[] } {
  const header = (name: string) => headerLine(parsed, name);
  const hints: Hint[] = [];
  const precedence = header('precedence')?.toLowerCase();
  if (OUT_OF_OFFICE.test(facts.subject ?? '')) hints.push('automatic_words');
  if (precedence && /^(bulk|junk)$/.test(precedence)) hints.push('bulk_precedence');
  const ours = (value: string | undefined) =>
    !!value && options.ourAddresses.some((a) => value.toLowerCase().includes(a));
  if (
    facts.messageId?.toLowerCase().endsWith(`@${options.domain}>`) ||
    (facts.fromAddress && options.ourAddresses.includes(facts.fromAddress)) ||
    ours(header('sender')) ||
    ours(header('return-path')) ||
    ours(header('x-loop'))
  ) {
    return { kind: 'loop', hints };
  }
  const contentType = parsed.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  const reportType = contentType?.params?.['report-type']?.toLowerCase();
  const localPart = facts.fromAddress?.split('@')[0] ?? '';
  if (
    (contentType?.value === 'multipart/report' && reportType === 'delivery-status') ||
    contentType?.value === 'message/delivery-status' ||
    /^(mailer-daemon|postmaster)$/i.test(localPart)
  ) {
    return { kind: 'bounce', hints };
  }
  const autoSubmitted = header('auto-submitted')?.toLowerCase();
  const suppress = header('x-auto-response-suppress')?.toLowerCase() ?? '';
  if (
    (autoSubmitted && !autoSubmitted.startsWith('no')) ||
    header('x-autoreply') !== undefined ||
    header('x-autorespond') !== undefined ||
    header('x-autoresponder') !== undefined ||
    header('x-ms-exchange-inbox-rules-loop') !== undefined ||
    /\b(all|oof|autoreply)\b/.test(suppress) ||
    precedence === 'auto_reply' ||
    (contentType?.value === 'multipart/report' && reportType === 'disposition-notification')
  ) {
    return { kind: 'auto_reply', hints };
  }
  if (
    header('list-id') !== undefined ||
    header('list-unsubscribe') !== undefined ||
    header('list-post') !== undefined ||
    precedence === 'list'
  ) {
    return { kind: 'list', hints };
  }
  return { kind: 'normal', hints };
}

// A header's value as sent (the first one, unfolded), by its name: mailparser keeps some headers
// only under other names or as structures (List-* become `list`).
function headerLine(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((h) => h.key === name)?.line;
  if (line === undefined) return undefined;
  return line
    .replace(/^[^:]*:/, '')
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

function firstAddress(field: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  for (const group of list) {
    for (const entry of group.value) {
      if (entry.address) return { address: entry.address.toLowerCase(), name: entry.name || null };
    }
  }
  return undefined;
}

// Ukrainian if it has letters Russian lacks; Russian if Cyrillic; English if Latin letters.
export function guessLanguage(text: string): Facts['language'] {
  if (/[іїєґ]/i.test(text)) return 'uk';
  if (/[а-яё]/i.test(text)) return 'ru';
  if (/[a-z]/i.test(text)) return 'en';
  return 'other';
}

// PostgreSQL text cannot hold NUL; some broken messages carry it.
const noNul = (s: string) => s.replaceAll('\u0000', '');

export function factsOf(
  parsed: ParsedMail,
  raw: Buffer,
  authservIds: readonly string[] = [],
): Facts {
  const from = firstAddress(parsed.from);
  const recovered = recoverRawCyrillic(raw, {
    subject: parsed.subject,
    fromName: from?.name,
    text: parsed.text,
  });
  const references = Array.isArray(parsed.references)
    ? parsed.references
    : parsed.references
      ? [parsed.references]
      : [];
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  // The parser found no words at all (a boundary that does not match, a part with no end): the
  // words are read from what is there.
  // A part whose declared boundary no line uses is lost to the parser, even when it found words
  // elsewhere: then everything is read as recoverText reads it.
  const parsedText = parsed.text?.trim() ? parsed.text : html ? textOfHtml(html) : '';
  const plain =
    recovered.text ??
    (parsedText && !declaresMissingBoundary(raw) ? parsedText : recoverText(raw) || parsedText);
  const text = noNul(plain).slice(0, 100_000) || null;
  const subject = recovered.subject ?? parsed.subject;
  return {
    messageId: cleanHeaderText(parsed.messageId),
    inReplyTo: cleanHeaderText(parsed.inReplyTo),
    references: references
      .map((r) => cleanHeaderText(r))
      .filter((r): r is string => !!r)
      .slice(0, 50),
    fromAddress: cleanHeaderText(from?.address, 254),
    fromName: cleanHeaderText(recovered.fromName ?? from?.name, 200),
    subject: cleanHeaderText(subject, 2_000),
    text,
    html: html ? noNul(sanitizeHtml(html, SANITIZE)).slice(0, 500_000) || null : null,
    authentication: authenticationOf(parsed, authservIds),
    language: guessLanguage(`${subject ?? ''} ${text ?? ''}`),
  };
}

// Safe to show in the case's page: no scripts, styles, forms, frames or images (remote images
// tell the sender the mail was read); links open elsewhere and carry no referrer.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'img'),
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

// Authentication-Results count only from our own receiving server (its authserv-id, the
// header's first word, one of `authservIds`): the topmost such header is the verdict. Any other —
// a header the sender wrote, or a server we do not run — is kept and shown as unverified.
function authenticationOf(
  parsed: ParsedMail,
  authservIds: readonly string[],
): AuthenticationResults | null {
  const lines = parsed.headerLines.filter((h) => h.key === 'authentication-results');
  if (lines.length === 0) return null;
  const read = (line: string) => {
    const value = line
      .replace(/^[^:]*:/, '')
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const result = (method: string) =>
      new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, 'i').exec(value)?.[1].toLowerCase() ??
      null;
    const server = value.split(';')[0].trim().split(/\s+/)[0].slice(0, 200);
    return { server, spf: result('spf'), dkim: result('dkim'), dmarc: result('dmarc') };
  };
  const all = lines.map((h) => read(h.line));
  const trusted = all.find((r) => authservIds.includes(r.server.toLowerCase()));
  return trusted ? { ...trusted, verified: true } : { ...all[0], verified: false };
}
