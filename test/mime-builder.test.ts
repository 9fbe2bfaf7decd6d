import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import {
  encodedWordFor,
  encodedWords,
  encodeQuotedPrintable,
  messageArbitrary,
  type BuiltMessage,
} from './support/mime-builder.js';

// The random MIME messages of test/support/mime-builder.ts, read back by a small reader of this
// file's own (no mail library, no code of the builder's but its encoders in the re-encoding
// check): lines, bytes, headers, the MIME tree as the builder says it made it, and every
// expected text where a careful reader finds it — in broken messages too, reading them as
// such a reader would (the boundary the delimiter lines use, a part without its close
// delimiter, UTF-8 bytes under a us-ascii label).
const RUNS = 200;

// ---------------------------------------------------------------------------------------------
// A careful reader. It throws where it cannot read on; everything else is checked below.

interface Leaf {
  path: string;
  contentType: string;
  params: Record<string, string>;
  transferEncoding: string;
  disposition: string;
  start: number; // the body's bytes in the raw message
  end: number;
  decoded: Buffer; // transfer encoding undone
  charset?: string; // the one the bytes are read in
  visible?: string; // text parts: the text, or the visible words of HTML
}

interface Multi {
  path: string;
  subtype: string;
  declared: string;
  used: string;
  closes: number;
  parts: number;
}

interface Reading {
  headers: Map<string, string[]>;
  longHeaderLines: string[];
  leaves: Leaf[];
  multis: Multi[];
}

function unreadable(what: string): never {
  throw new Error(`mime-builder.test: cannot read the message: ${what}`);
}

function read(raw: Buffer): Reading {
  const s = raw.toString('latin1');
  const reading: Reading = { headers: new Map(), longHeaderLines: [], leaves: [], multis: [] };
  reading.headers = readEntity(s, 0, s.length, [], reading);
  return reading;
}

function headersOf(s: string, start: number, end: number, reading: Reading) {
  const blank = s.indexOf('\r\n\r\n', start);
  if (blank < start || blank + 4 > end) unreadable(`no blank line after the headers at ${start}`);
  const block = s.slice(start, blank);
  // Folded where long: no header line of any part longer than 78 characters.
  reading.longHeaderLines.push(...block.split('\r\n').filter((line) => line.length > 78));
  const headers = new Map<string, string[]>();
  for (const line of block.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) unreadable(`header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { headers, bodyStart: blank + 4 };
}

function parameters(value: string) {
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const piece of rest) {
    const eq = piece.indexOf('=');
    const v = piece.slice(eq + 1).trim();
    params[piece.slice(0, eq).trim().toLowerCase()] = v.startsWith('"') ? v.slice(1, -1) : v;
  }
  return { type: type.trim().toLowerCase(), params };
}

function readEntity(s: string, start: number, end: number, path: number[], reading: Reading) {
  const { headers, bodyStart } = headersOf(s, start, end, reading);
  const first = (name: string) => headers.get(name)?.[0];
  const { type, params } = parameters(first('content-type') ?? 'text/plain; charset=us-ascii');
  if (type.startsWith('multipart/')) {
    readMultipart(s, bodyStart, end, path, type.slice('multipart/'.length), params, reading);
  } else {
    reading.leaves.push(
      readLeaf(
        s,
        bodyStart,
        end,
        path,
        type,
        params,
        first('content-transfer-encoding'),
        first('content-disposition'),
      ),
    );
  }
  return headers;
}

function lines(s: string, start: number, end: number) {
  const out: { start: number; end: number; text: string }[] = [];
  let pos = start;
  while (pos < end) {
    const crlf = s.indexOf('\r\n', pos);
    const lineEnd = crlf === -1 || crlf > end ? end : crlf;
    out.push({ start: pos, end: lineEnd, text: s.slice(pos, lineEnd) });
    pos = lineEnd + 2;
  }
  return out;
}

function readMultipart(
  s: string,
  start: number,
  end: number,
  path: number[],
  subtype: string,
  params: Record<string, string>,
  reading: Reading,
) {
  const declared = params.boundary ?? unreadable(`multipart at ${path.join('.')} has no boundary`);
  const all = lines(s, start, end);
  // Not on any line: the careful reader takes the first line that looks like a delimiter.
  let used = declared;
  if (!all.some((l) => l.text === `--${declared}`)) {
    const sniffed = all.find((l) => l.text.startsWith('--')) ?? unreadable('no delimiter');
    used = sniffed.text.slice(2);
  }
  const opens: { start: number; end: number }[] = [];
  let close: { start: number; end: number } | undefined;
  let closes = 0;
  for (const line of all) {
    if (close) break; // the epilogue
    if (line.text === `--${used}`) opens.push(line);
    if (line.text === `--${used}--`) {
      close = line;
      closes++;
    }
  }
  const multi: Multi = { path: path.join('.'), subtype, declared, used, closes, parts: 0 };
  reading.multis.push(multi);
  opens.forEach((open, i) => {
    const next = opens[i + 1] ?? close;
    // The CRLF before a delimiter is the delimiter's.
    const partEnd = next ? next.start - 2 : end;
    multi.parts++;
    readEntity(s, open.end + 2, partEnd, [...path, i + 1], reading);
  });
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i));
    }
  }
  return Buffer.from(bytes);
}

const ascii = (bytes: Uint8Array) => bytes.every((b) => b < 0x80);

function readLeaf(
  s: string,
  start: number,
  end: number,
  path: number[],
  contentType: string,
  params: Record<string, string>,
  cte = '7bit',
  disposition = '',
): Leaf {
  const transferEncoding = cte.toLowerCase();
  const body = s.slice(start, end);
  const decoded =
    transferEncoding === 'base64'
      ? Buffer.from(body.replace(/[\r\n]/g, ''), 'base64')
      : transferEncoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, 'latin1');
  const leaf: Leaf = {
    path: path.length ? path.join('.') : '1',
    contentType,
    params,
    transferEncoding,
    disposition: disposition.split(';')[0].trim().toLowerCase(),
    start,
    end,
    decoded,
  };
  if (contentType.startsWith('text/') && leaf.disposition !== 'attachment') {
    let charset = (params.charset ?? 'us-ascii').toLowerCase();
    // 8-bit bytes under a us-ascii label: read them as UTF-8.
    if (charset === 'us-ascii' && !ascii(decoded)) charset = 'utf-8';
    leaf.charset = charset;
    const text = iconv.decode(decoded, charset).replace(/(\r\n)+$/, '');
    leaf.visible =
      contentType === 'text/html'
        ? text
            .replace(/<[^>]*>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim()
        : text;
  }
  return leaf;
}

// RFC 2047: adjacent encoded words lose the whitespace between them.
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_, charset: string, mode: string, data: string) =>
        iconv.decode(
          mode.toUpperCase() === 'B'
            ? Buffer.from(data, 'base64')
            : decodeQuotedPrintable(data.replace(/_/g, ' ')),
          charset,
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// The checks. Each message's problems are gathered and asserted once: a Jest `expect` per byte
// or line would take most of the time of the file.

// RFC 2046 boundary: 1–70 characters, bchars, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const seenIds = new Set<string>();

function problemsOf(m: BuiltMessage): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const same = (actual: unknown, wanted: unknown, what: string) => {
    const a = JSON.stringify(actual);
    const w = JSON.stringify(wanted);
    if (a !== w) problems.push(`${what}: ${a} instead of ${w}`);
  };
  const s = m.raw.toString('latin1');

  // Lines: CRLF only, none longer than 998 bytes, and the message ends with one.
  check(!/\r(?!\n)|(?<!\r)\n/.test(s), 'a line ends otherwise than in CRLF');
  check(s.endsWith('\r\n'), 'the message does not end in CRLF');
  check(!s.split('\r\n').some((line) => line.length > 998), 'a line is longer than 998 bytes');

  const reading = read(m.raw);
  same(reading.longHeaderLines, [], 'header lines longer than 78');

  // Headers: ASCII, each once, and what the builder says they say.
  check(ascii(m.raw.subarray(0, s.indexOf('\r\n\r\n'))), 'the header is not ASCII');
  const header = (name: string) => {
    same(reading.headers.get(name)?.length, 1, `${name} headers`);
    return reading.headers.get(name)?.[0] ?? '';
  };
  same(header('to'), 'cases@homecoming.test', 'To');
  same(header('mime-version'), '1.0', 'MIME-Version');
  check(!Number.isNaN(Date.parse(header('date'))), `Date ${header('date')}`);
  same(header('message-id'), m.messageId, 'Message-ID');
  check(/^<[^<>@\s]+@mail\.test>$/.test(m.messageId), `Message-ID ${m.messageId}`);
  check(!seenIds.has(m.messageId), `Message-ID ${m.messageId} twice`);
  seenIds.add(m.messageId);
  same(decodeWords(header('subject')), m.subject, 'Subject');
  const from = header('from');
  const named = /^(.*\S)\s+<([^>]+)>$/.exec(from);
  same(named ? named[2] : from, m.from, 'From address');
  check(/^[a-z0-9]+([._-][a-z0-9]+)*@mail\.test$/.test(m.from), `From ${m.from}`);
  same(named ? decodeWords(named[1]).replace(/^"(.*)"$/, '$1') : undefined, m.fromName, 'name');

  // 8-bit bytes only in the bodies of 8bit parts.
  const eightBit = reading.leaves.filter((l) => l.transferEncoding === '8bit');
  const allowed = new Uint8Array(m.raw.length);
  for (const l of eightBit) allowed.fill(1, l.start, l.end);
  let stray = -1;
  for (let i = 0; i < m.raw.length && stray < 0; i++) {
    if (m.raw[i] >= 0x80 && !allowed[i]) stray = i;
  }
  same(stray, -1, 'first 8-bit byte outside an 8bit part');

  // The tree is the one the builder describes.
  same(
    reading.leaves.map((l) => [
      l.path,
      l.contentType,
      l.transferEncoding,
      l.contentType.startsWith('text/') ? l.params.charset?.toLowerCase() : undefined,
    ]),
    m.parts.map((p) => [p.path, p.contentType, p.transferEncoding, p.declaredCharset]),
    'leaves',
  );
  const byPath = <T extends { path: string }>(list: T[]) =>
    [...list].sort((a, b) => a.path.localeCompare(b.path));
  same(
    byPath(reading.multis).map((x) => ({
      path: x.path,
      subtype: x.subtype,
      boundary: x.used,
      declaredBoundary: x.declared,
      closed: x.closes === 1,
      parts: x.parts,
    })),
    byPath(m.multiparts),
    'multiparts',
  );

  // Boundaries: valid, unique, none the beginning of another (a reader matching by prefix would
  // take one for the other).
  const boundaries = [...new Set(m.multiparts.flatMap((x) => [x.boundary, x.declaredBoundary]))];
  for (const b of boundaries) {
    check(BOUNDARY.test(b), `boundary ${JSON.stringify(b)} is not valid`);
    for (const other of boundaries) {
      check(other === b || !other.startsWith(b), `boundary ${b} begins ${other}`);
    }
  }
  check(
    reading.multis.every((x) => x.closes <= 1),
    'a close delimiter twice',
  );

  // Broken or not, and how.
  const mismatched = m.multiparts.filter((x) => x.boundary !== x.declaredBoundary);
  const unclosed = m.multiparts.filter((x) => !x.closed);
  const mislabelled = reading.leaves.filter(
    (l) => l.params.charset?.toLowerCase() === 'us-ascii' && !ascii(l.decoded),
  );
  same(mismatched.length + unclosed.length + mislabelled.length, m.broken ? 1 : 0, 'breakages');
  check(m.description.includes('BROKEN') === !!m.broken, 'description of the breakage');
  if (m.broken) {
    check(m.description.includes(`BROKEN (${m.broken})`), 'description of the breakage');
    if (m.broken === 'boundary-mismatch') {
      same(mismatched.length, 1, 'mismatched boundaries');
      check(
        !mismatched.some((x) => s.includes(`\r\n--${x.declaredBoundary}`)),
        'the declared boundary is used',
      );
    }
    if (m.broken === 'missing-close') same(unclosed.length, 1, 'multiparts not closed');
    if (m.broken === 'wrong-charset') {
      same(mislabelled.length, 1, 'us-ascii parts with 8-bit bytes');
      for (const l of mislabelled) {
        same(l.transferEncoding, '8bit', "the us-ascii part's transfer encoding");
        check(
          iconv.encode(iconv.decode(l.decoded, 'utf-8'), 'utf-8').equals(l.decoded),
          'the us-ascii part is not UTF-8',
        );
      }
    }
  } else {
    for (const x of m.multiparts) {
      // Headers end in a blank line, so even the first delimiter follows a CRLF.
      same(s.split(`\r\n--${x.boundary}\r\n`).length - 1, x.parts, `delimiters of ${x.boundary}`);
      same(s.split(`\r\n--${x.boundary}--\r\n`).length - 1, 1, `close of ${x.boundary}`);
    }
  }

  // Every inline text part's text is an expected text, and every expected one is there.
  const inline = reading.leaves.filter((l) => l.visible !== undefined);
  same(new Set(m.expectedTexts).size, m.expectedTexts.length, 'distinct expected texts');
  same(
    [...new Set(inline.map((l) => l.visible))].sort(),
    [...m.expectedTexts].sort(),
    'texts read',
  );
  for (const text of m.expectedTexts) {
    const words = text.split(' ').length;
    check(words >= 3 && words <= 30, `${words} words in ${text}`);
    check(!/\s\s|^\s|\s$|[<>&\r\n\t]/.test(text), `spacing or markup in ${text}`);
  }
  for (const text of m.embeddedTexts) {
    check(!m.expectedTexts.includes(text), `embedded text ${text} expected`);
  }

  // Each text re-encoded in its part's charset and transfer encoding is in the raw bytes (for
  // HTML, and text in base64 or quoted-printable in the decoded body); every charset holds its
  // text.
  for (const part of m.parts) {
    if (part.text === undefined || part.charset === undefined) continue;
    const leaf = reading.leaves.find((l) => l.path === part.path);
    if (!leaf) continue; // reported above
    const { text, charset, transferEncoding: cte } = part;
    const where = `part ${part.path}`;
    same(iconv.decode(iconv.encode(text, charset), charset), text, `${where} round trip`);
    if (charset === 'koi8-r') check(!/[іїєґІЇЄҐ]/.test(text), `${where}: Ukrainian in KOI8-R`);
    if (charset === 'iso-8859-5') check(!/[ґҐ]/.test(text), `${where}: ґ in ISO-8859-5`);
    if (cte === '7bit') check(/^[\x20-\x7e]+$/.test(text), `${where}: 7bit, not ASCII`);
    if (charset === 'utf-16') {
      same(cte, 'base64', `${where}: UTF-16's transfer encoding`);
      same([...leaf.decoded.subarray(0, 2)], [0xff, 0xfe], `${where}: byte order mark`);
    }
    const bytes = iconv.encode(text, charset === 'utf-16' ? 'utf-16le' : charset);
    check(leaf.decoded.includes(bytes), `${where}: the text is not in the decoded body`);
    const whole = charset === 'utf-16' ? Buffer.concat([Buffer.from([0xff, 0xfe]), bytes]) : bytes;
    if (cte === '7bit' || cte === '8bit') {
      check(m.raw.includes(bytes), `${where}: the text's bytes are not in the message`);
    } else if (part.contentType === 'text/plain') {
      const encoded =
        cte === 'base64'
          ? (whole.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')
          : encodeQuotedPrintable(whole);
      check(s.includes(encoded), `${where}: the encoded text is not in the message`);
    }
    // Base64 and quoted-printable: lines of at most 76 characters; quoted-printable's of its own
    // characters, with no whitespace at the end of one.
    const bodyLines = s.slice(leaf.start, leaf.end).split('\r\n');
    if (cte === 'base64' || cte === 'quoted-printable') {
      same(
        bodyLines.filter((line) => line.length > 76),
        [],
        `${where}: long lines`,
      );
    }
    if (cte === 'quoted-printable') {
      const valid = /^(?:[\x21-\x3c\x3e-\x7e \t]|=[0-9A-F]{2})*=?$/;
      same(
        bodyLines.filter((line) => !valid.test(line) || /[ \t]$/.test(line)),
        [],
        `${where}: bad quoted-printable lines`,
      );
    }
  }

  // Attachments: base64, of the decoded size the builder says.
  for (const part of m.parts) {
    if (part.contentType === 'message/rfc822' || part.size === undefined) continue;
    const leaf = reading.leaves.find((l) => l.path === part.path);
    same([leaf?.transferEncoding, leaf?.decoded.length], ['base64', part.size], part.path);
  }
  return problems;
}

function checkMessage(m: BuiltMessage) {
  const problems = problemsOf(m);
  if (problems.length > 0) {
    expect({ description: m.description, problems }).toEqual({
      description: m.description,
      problems: [],
    });
  }
}

describe('mime-builder: random raw MIME messages', () => {
  it('encodes words, quoted-printable and folds as the RFCs say', () => {
    expect(encodedWordFor('Привет', 'utf-8', 'B')).toBe('=?utf-8?B?0J/RgNC40LLQtdGC?=');
    expect(encodedWordFor('тест тест', 'koi8-r', 'Q')).toBe(
      '=?koi8-r?Q?=D4=C5=D3=D4_=D4=C5=D3=D4?=',
    );
    const long = 'Допоможіть знайти родину з Ірпеня, ґанок і їжак. '.repeat(4).trim();
    for (const mode of ['B', 'Q'] as const) {
      const words = encodedWords(long, 'utf-8', mode);
      expect(words.length).toBeGreaterThan(1);
      for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
      expect(decodeWords(words.join('\r\n '))).toBe(long);
    }
    expect(encodeQuotedPrintable(Buffer.from('a=b \r\nc\t', 'latin1'))).toBe('a=3Db=20\r\nc=09');
    const bytes = iconv.encode('щука '.repeat(40), 'utf-8');
    const qp = encodeQuotedPrintable(bytes);
    for (const line of qp.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(decodeQuotedPrintable(qp).equals(bytes)).toBe(true);
  });

  it('builds well-formed messages whose texts a reader finds', () => {
    fc.assert(fc.property(messageArbitrary(), checkMessage), { numRuns: RUNS });
  });

  it('breaks about one message in three, each still readable', () => {
    const broken: Record<string, number> = {};
    let total = 0;
    fc.assert(
      fc.property(messageArbitrary({ brokenBoundaries: true }), (m) => {
        checkMessage(m);
        total++;
        if (m.broken) broken[m.broken] = (broken[m.broken] ?? 0) + 1;
      }),
      { numRuns: RUNS },
    );
    const count = Object.values(broken).reduce((a, b) => a + b, 0);
    expect(count).toBeGreaterThan(total * 0.15);
    expect(count).toBeLessThan(total * 0.55);
    expect(Object.keys(broken).sort()).toEqual([
      'boundary-mismatch',
      'missing-close',
      'wrong-charset',
    ]);
  });

  it('makes every shape', () => {
    const seen = new Set<string>();
    for (const m of fc.sample(messageArbitrary(), { numRuns: RUNS, seed: 7 })) {
      for (const p of m.parts) {
        seen.add(p.contentType);
        seen.add(`${p.contentType} ${p.transferEncoding}`);
        seen.add(`${p.contentType} ${p.charset ?? ''} ${p.transferEncoding}`.replace('  ', ' '));
      }
      for (const x of m.multiparts) seen.add(`multipart/${x.subtype}`);
      if (m.multiparts.length === 0) seen.add('single part');
      if (m.parts.some((p) => p.filename && /[^\x20-\x7e]/.test(p.filename)))
        seen.add('cyrillic filename');
      if (m.fromName && /[^\x20-\x7e]/.test(m.fromName)) seen.add('cyrillic sender');
      if (m.raw.includes('Subject: =?')) seen.add('encoded subject');
      if (Math.max(0, ...m.multiparts.map((x) => x.path.split('.').filter(Boolean).length)) >= 2) {
        seen.add('three levels');
      }
    }
    for (const shape of [
      'single part',
      'multipart/mixed',
      'multipart/alternative',
      'multipart/related',
      'message/rfc822',
      'application/pdf base64',
      'application/octet-stream base64',
      'text/plain utf-16 base64',
      'text/html koi8-r quoted-printable',
      'text/plain windows-1251 8bit',
      'text/plain iso-8859-5 base64',
      'text/plain 7bit',
      'cyrillic filename',
      'cyrillic sender',
      'encoded subject',
      'three levels',
    ]) {
      expect([...seen]).toContain(shape);
    }
  });
});
