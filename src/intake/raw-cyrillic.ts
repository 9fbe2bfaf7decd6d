import iconv from 'iconv-lite';

// Old clients sent Cyrillic as raw 8-bit bytes with no charset anywhere (in headers, and in
// bodies with no MIME declaration): parsers read them as UTF-8 and get U+FFFD. Then the bytes are
// read again: as UTF-8 with a stray byte or two, else as windows-1251 and as KOI8-R, where the
// reading with more of Russian's most frequent lowercase letters wins (KOI8-R text read as
// windows-1251 comes out mostly in capitals, and the other way round).
const FREQUENT = /[оеаинтсрвлкмдпуяыь]/g;
const CANDIDATES = ['windows-1251', 'koi8-r'] as const;

export function decodeCyrillic(bytes: Buffer): string {
  let best = '';
  let bestScore = -1;
  for (const charset of CANDIDATES) {
    const text = iconv.decode(bytes, charset);
    const score = text.match(FREQUENT)?.length ?? 0;
    if (score > bestScore) {
      best = text;
      bestScore = score;
    }
  }
  return best;
}

const CYRILLIC = /[\u0400-\u04ff]/g;

// Raw 8-bit bytes of unknown charset: UTF-8 when they read as UTF-8 but for a stray byte or two
// (a truncated last character, a byte some relay mangled), dropping what does not decode; else
// the Cyrillic single-byte charset that reads best.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeRaw8bit(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // not valid UTF-8 as it stands
  }
  const utf8 = bytes.toString('utf8');
  const bad = utf8.match(/\uFFFD/g)?.length ?? 0;
  const letters = utf8.match(CYRILLIC)?.length ?? 0;
  if (bad === 0 || (letters >= 3 && bad <= Math.max(2, letters / 20))) {
    return utf8.replaceAll('\uFFFD', '');
  }
  return decodeCyrillic(bytes);
}

// A name a parser took byte for byte (raw 8-bit in a MIME parameter comes out as Latin-1
// characters): read again from those bytes. Left alone when it is not such a name.
export function recoverRawName(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || [...name].some((c) => c.charCodeAt(0) > 0xff)) return name;
  return decodeRaw8bit(Buffer.from(name, 'latin1')).trim() || name;
}

const hasHigh = (bytes: Buffer) => bytes.some((b) => b >= 0x80);

// The raw header block and body of a message (before and after the first blank line).
export function split(raw: Buffer): { head: Buffer; body: Buffer } {
  for (const separator of ['\r\n\r\n', '\n\n']) {
    const at = raw.indexOf(separator);
    if (at >= 0) return { head: raw.subarray(0, at), body: raw.subarray(at + separator.length) };
  }
  return { head: raw, body: Buffer.alloc(0) };
}

// A header's raw value (folded lines joined), or undefined.
export function rawHeader(raw: Buffer, name: string): Buffer | undefined {
  const { head } = split(raw);
  const lines = head.toString('latin1').split(/\r?\n/);
  const wanted = `${name.toLowerCase()}:`;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].toLowerCase().startsWith(wanted)) continue;
    let value = lines[i].slice(wanted.length);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1])) value += ` ${lines[++i].trim()}`;
    return Buffer.from(value.trim(), 'latin1');
  }
  return undefined;
}

// The display name of a From header's raw value ("Имя <a@b>" or "a@b (Имя)").
function displayName(value: string): string | undefined {
  const angle = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(value);
  if (angle?.[1]) return angle[1].trim();
  const comment = /\(([^)]*)\)\s*$/.exec(value);
  return comment?.[1]?.trim() || undefined;
}

export interface Recovered {
  subject?: string;
  fromName?: string;
  text?: string;
}

// What a parser read as U+FFFD, read again from the raw bytes. Only for text that has it, and
// only the parts that were raw 8-bit: a body is re-read only when it has no MIME declaration.
export function recoverRawCyrillic(
  raw: Buffer,
  parsed: { subject?: string | null; fromName?: string | null; text?: string | null },
): Recovered {
  const broken = (s: string | null | undefined) => !!s && s.includes('\uFFFD');
  const out: Recovered = {};
  if (broken(parsed.subject)) {
    const value = rawHeader(raw, 'subject');
    if (value && hasHigh(value)) out.subject = decodeRaw8bit(value).trim();
  }
  if (broken(parsed.fromName)) {
    const value = rawHeader(raw, 'from');
    if (value && hasHigh(value)) out.fromName = displayName(decodeRaw8bit(value));
  }
  if (broken(parsed.text) && !rawHeader(raw, 'content-type')) {
    const { body } = split(raw);
    if (hasHigh(body)) out.text = decodeRaw8bit(body).trim();
  }
  return out;
}
