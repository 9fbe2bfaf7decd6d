import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import {
  inspectAttachments,
  type AttachmentLimits,
  type InspectedAttachment,
} from './attachments.js';
import type { AuthenticationResults } from './inbound-email.entity.js';
import { recoverRawCyrillic, split } from './raw-cyrillic.js';

// The part of mail intake that needs no database: hashing, parsing, the attachments looked
// into, the classification. (Tried on a worker thread: on two cores it cost more CPU per
// message than it saved the main thread, and 70 MB more memory.)

// What intake needs of mailparser: the text as sent (no HTML made from it, no links found in
// it), and each attachment's SHA-256 (its checksum) computed while it is decoded.
export const PARSE_OPTIONS = {
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: 'sha256',
};
const OUT_OF_OFFICE =
  /\b(out of (the )?office|automatic reply|auto-?reply|autoreply|vacation)\b|автоответ|автоматический ответ|нет на месте|в отпуске|автовідповідь|відсутн/i;

export type Classification = 'normal' | 'auto_reply' | 'bounce' | 'list' | 'loop';

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
  limits: AttachmentLimits;
}

export interface Prepared {
  facts: Facts;
  attachments: InspectedAttachment[];
  kind: Classification;
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
    const parsed = await simpleParser(raw, PARSE_OPTIONS);
    const facts = factsOf(parsed, raw);
    messageId = facts.messageId;
    step = 'attachments';
    const attachments = await inspectAttachments(parsed.attachments, options.limits);
    step = 'classify';
    const kind = classify(parsed, facts, options.domain);
    return { sha256, contentSha256, messageId, prepared: { facts, attachments, kind } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { sha256, contentSha256, messageId, failed: { step, error: message } };
  }
}

export function classify(parsed: ParsedMail, facts: Facts, domain: string): Classification {
  const header = (name: string) => {
    const value = parsed.headers.get(name);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  if (facts.messageId?.toLowerCase().endsWith(`@${domain}>`)) return 'loop';
  const contentType = parsed.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  const localPart = facts.fromAddress?.split('@')[0] ?? '';
  if (
    (contentType?.value === 'multipart/report' &&
      contentType.params?.['report-type']?.toLowerCase() === 'delivery-status') ||
    /^(mailer-daemon|postmaster)$/i.test(localPart)
  ) {
    return 'bounce';
  }
  const autoSubmitted = header('auto-submitted')?.toLowerCase();
  const precedence = header('precedence')?.toLowerCase();
  if (
    (autoSubmitted && autoSubmitted !== 'no') ||
    header('x-autoreply') !== undefined ||
    header('x-autorespond') !== undefined ||
    (precedence && /^(bulk|junk|auto_reply)$/.test(precedence)) ||
    OUT_OF_OFFICE.test(facts.subject ?? '')
  ) {
    return 'auto_reply';
  }
  if (header('list-id') !== undefined || precedence === 'list') return 'list';
  return 'normal';
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

export function factsOf(parsed: ParsedMail, raw: Buffer): Facts {
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
  const plain =
    recovered.text ??
    (parsed.text?.trim() ? parsed.text : html ? htmlToText(html, { wordwrap: false }) : '');
  const text = noNul(plain).slice(0, 100_000) || null;
  return {
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    references: references.slice(0, 50),
    fromAddress: from?.address ?? null,
    fromName: (recovered.fromName ?? from?.name) ? noNul(recovered.fromName ?? from!.name!) : null,
    subject:
      (recovered.subject ?? parsed.subject) ? noNul(recovered.subject ?? parsed.subject!) : null,
    text,
    html: html ? noNul(sanitizeHtml(html, SANITIZE)).slice(0, 500_000) || null : null,
    authentication: authenticationOf(parsed),
    language: guessLanguage(`${recovered.subject ?? parsed.subject ?? ''} ${text ?? ''}`),
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

// The topmost Authentication-Results header: the one the receiving server added. Headers
// further down came with the message and prove nothing.
function authenticationOf(parsed: ParsedMail): AuthenticationResults | null {
  const line = parsed.headerLines.find((h) => h.key === 'authentication-results')?.line;
  if (!line) return null;
  const value = line
    .replace(/^[^:]*:/, '')
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  const result = (method: string) =>
    new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, 'i').exec(value)?.[1].toLowerCase() ??
    null;
  return {
    server: value.split(';')[0].trim().split(/\s+/)[0].slice(0, 200),
    spf: result('spf'),
    dkim: result('dkim'),
    dmarc: result('dmarc'),
  };
}
