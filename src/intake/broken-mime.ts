import { convert as htmlToText } from 'html-to-text';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import libqp from 'libqp';
import { decodeRaw8bit, rawHeader, split } from './raw-cyrillic.js';

// The words of a message whose MIME structure the parser could not follow — a declared boundary
// that is not the one between the parts, a part with no end — taken from what is there: the
// body cut at every line that looks like a boundary, each piece read with its own headers if it
// has any (transfer encoding, charset, text or HTML), else as the message's. Attachments and
// anything not text are left out. Never throws; empty when there is nothing to read.
export function recoverText(raw: Buffer): string {
  const { body } = split(raw);
  if (body.length === 0) return '';
  const top = headersOf(raw);
  const pieces = cut(body);
  const texts = (pieces.length > 0 ? pieces : [body])
    .map((piece, i) => readPiece(piece, pieces.length > 0 ? undefined : top, i))
    .filter((t): t is string => !!t && t.trim().length > 0);
  return texts.join('\n\n').trim();
}

// Whether a multipart anywhere in the message declares a boundary that no line uses: the parser
// then drops that part's words (for it, all of the part is a preamble), and only recoverText
// finds them.
export function declaresMissingBoundary(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  for (const match of text.matchAll(/\bboundary\s*=\s*(?:"([^"\r\n]{1,70})"|([^\s;"]{1,70}))/gi)) {
    const boundary = match[1] ?? match[2];
    const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (!new RegExp(`^--${escaped}(--)?[ \\t]*\\r?$`, 'm').test(text)) return true;
  }
  return false;
}

interface PartHeaders {
  type: string;
  charset?: string;
  encoding?: string;
  disposition?: string;
}

function headersOf(raw: Buffer): PartHeaders {
  const value = (name: string) => rawHeader(raw, name)?.toString('latin1');
  const type = value('content-type');
  const parsed = type ? libmime.parseHeaderValue(type) : undefined;
  return {
    type: parsed?.value.toLowerCase() || 'text/plain',
    charset: parsed?.params.charset,
    encoding: value('content-transfer-encoding')?.trim().toLowerCase(),
    disposition: value('content-disposition')?.split(';')[0].trim().toLowerCase(),
  };
}

// The body between lines that start "--" followed by a token (any boundary, declared or not).
function cut(body: Buffer): Buffer[] {
  const lines = splitLines(body);
  // RFC 2046 bchars: a space is allowed inside, not at the end.
  const boundary = /^--[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-](--)?\s*$/;
  if (!lines.some((l) => boundary.test(l.toString('latin1')))) return [];
  const pieces: Buffer[] = [];
  let current: Buffer[] = [];
  for (const line of lines) {
    if (boundary.test(line.toString('latin1'))) {
      if (current.length) pieces.push(joinLines(current));
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length) pieces.push(joinLines(current));
  return pieces;
}

function splitLines(buffer: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buffer.length; i++) {
    if (buffer[i] !== 0x0a) continue;
    const end = i > start && buffer[i - 1] === 0x0d ? i - 1 : i;
    lines.push(buffer.subarray(start, end));
    start = i + 1;
  }
  if (start < buffer.length) lines.push(buffer.subarray(start));
  return lines;
}

const joinLines = (lines: Buffer[]) => Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));

// One piece: its own headers when it starts with some, else the given ones (the message's, for
// a body with no boundaries at all), else plain text.
function readPiece(
  piece: Buffer,
  given: PartHeaders | undefined,
  index: number,
): string | undefined {
  const starts = /^[A-Za-z][A-Za-z0-9-]*:/.test(piece.subarray(0, 200).toString('latin1'));
  let headers = given;
  let content = piece;
  if (starts) {
    const { head, body } = split(piece);
    headers = headersOf(Buffer.concat([head, Buffer.from('\n\n')]));
    content = body;
  }
  headers ??= { type: 'text/plain' };
  // The preamble (before the first boundary) of a real multipart is not the sender's words, but
  // with a boundary that does not match it may be all there is.
  if (
    index === 0 &&
    !starts &&
    !given &&
    /This is a multi-part message/i.test(content.toString('latin1'))
  ) {
    return undefined;
  }
  if (headers.disposition === 'attachment') return undefined;
  if (!headers.type.startsWith('text/') && !headers.type.startsWith('multipart/')) return undefined;
  if (headers.type.startsWith('multipart/')) return undefined;
  const bytes = decodeTransfer(content, headers.encoding);
  const text = decodeCharset(bytes, headers.charset);
  return headers.type === 'text/html' ? htmlToText(text, { wordwrap: false }) : text;
}

function decodeTransfer(content: Buffer, encoding: string | undefined): Buffer {
  try {
    if (encoding === 'base64')
      return Buffer.from(content.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (encoding === 'quoted-printable') return libqp.decode(content.toString('latin1'));
  } catch {
    // as it is, then
  }
  return content;
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const name = charset?.trim().toLowerCase();
  if (name && name !== 'us-ascii' && iconv.encodingExists(name)) {
    try {
      const text = iconv.decode(bytes, name);
      if (!text.includes('\uFFFD')) return text;
    } catch {
      // an unknown or broken charset: guessed below
    }
  }
  return decodeRaw8bit(bytes);
}

// Headers the pipeline reads, fit to keep: no NUL or other control characters (PostgreSQL text
// cannot hold NUL; a broken sender's bytes must not quarantine a letter), no encoded words
// left undecoded, at most `max` characters.
export function cleanHeaderText(value: string | null | undefined, max = 998): string | null {
  if (!value) return null;
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  return clean ? clean.slice(0, max) : null;
}

// Sender and subject read straight from the raw header block, for a message the parser could
// not read at all: what the quarantine shows.
// The address in a From header's text: the one in angle brackets, else the first bare one.
export function addressIn(from: string | null | undefined): string | undefined {
  if (!from) return undefined;
  const match = /<([^\s<>"]+@[^\s<>"]+)>/.exec(from) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(from);
  return match?.[1].toLowerCase();
}

export function headlineOf(raw: Buffer): { fromAddress: string | null; subject: string | null } {
  const decoded = (name: string) => {
    const value = rawHeader(raw, name);
    if (!value) return null;
    try {
      return libmime.decodeWords(decodeRaw8bit(value));
    } catch {
      return decodeRaw8bit(value);
    }
  };
  return {
    fromAddress: cleanHeaderText(addressIn(decoded('from')), 254),
    subject: cleanHeaderText(decoded('subject'), 2_000),
  };
}
