import fc from 'fast-check';
import iconv from 'iconv-lite';
import { randomBytes } from 'node:crypto';

// Random raw RFC 5322 / MIME messages for property tests of mail intake, written by hand: no
// mail library (the app parses with mailparser, so the messages must come from an independent
// implementation). iconv-lite does the charsets, Buffer the base64; quoted-printable, RFC 2047
// encoded words, RFC 2231 parameters and header folding are done here.
//
// A message is drawn as a plain description (`MessageSpec`: words, charsets, transfer
// encodings, the MIME tree) and then written out. Every text part carries a token of its own
// (ASCII letters and digits) so that a test can find each part's text in what the service kept.
// Tokens and Message-IDs also carry a counter of this process: every message drawn — shrunk
// ones included — has a new Message-ID and new bytes, so a service that drops duplicates never
// sees one twice. (A replayed counterexample has the same shape, other tokens.)

export type Charset = 'utf-8' | 'koi8-r' | 'windows-1251' | 'iso-8859-5' | 'utf-16';
export type HeaderCharset = Exclude<Charset, 'utf-16'>;
export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';
export type Breakage = 'boundary-mismatch' | 'missing-close' | 'wrong-charset';

export const CHARSETS: readonly Charset[] = [
  'utf-8',
  'koi8-r',
  'windows-1251',
  'iso-8859-5',
  'utf-16',
];
export const HEADER_CHARSETS: readonly HeaderCharset[] = [
  'utf-8',
  'koi8-r',
  'windows-1251',
  'iso-8859-5',
];

// A leaf of the message's MIME tree (a message/rfc822 part is one leaf: what it holds is not
// listed). `path` numbers parts as IMAP does: "1" for a single-part message, "2.1" for the first
// part of the root's second part.
export interface BuiltPart {
  path: string;
  contentType: string;
  transferEncoding: TransferEncoding;
  // Text parts: the charset the bytes are in, and the one the Content-Type declares (unquoted;
  // the two differ only for a `wrong-charset` breakage, which declares us-ascii).
  charset?: Charset;
  declaredCharset?: string;
  // Inline text parts: the text a reader must find (the visible words, for HTML).
  text?: string;
  // Attachments (and message/rfc822 parts given a name): the file name, decoded.
  filename?: string;
  size?: number;
  contentId?: string;
}

export interface BuiltMultipart {
  path: string; // '' for the root
  subtype: 'mixed' | 'alternative' | 'related';
  boundary: string; // the one on the delimiter lines
  declaredBoundary: string; // the one in the Content-Type (differs for `boundary-mismatch`)
  closed: boolean; // whether the close delimiter `--boundary--` is there
  parts: number;
}

export interface BuiltMessage {
  raw: Buffer;
  from: string; // the address, local@mail.test
  fromName?: string; // the display name, decoded, when there is one
  subject: string; // decoded
  // The text of every inline text part (a text/plain's decoded text, a text/html's visible
  // words), each once: the two parts of a multipart/alternative share theirs. Each is on one
  // line, words separated by single spaces.
  expectedTexts: string[];
  messageId: string; // with its angle brackets, as in the header
  description: string;
  parts: BuiltPart[];
  multiparts: BuiltMultipart[];
  // Every part that is not text, in order: attachments, the inline parts of a multipart/related
  // (with a Content-ID) and message/rfc822 parts (named only when given a Content-Disposition).
  attachments: { filename?: string; contentType: string; size: number; contentId?: string }[];
  // The texts of any message/rfc822 part: a reader keeps that as an attachment, so these must
  // NOT be in the body it shows.
  embeddedTexts: string[];
  broken?: Breakage;
}

export interface MessageOptions {
  // Break about one message in three (see `Breakage`), each in a way a careful reader still
  // recovers every expected text from.
  brokenBoundaries?: boolean;
}

const CRLF = '\r\n';

// ---------------------------------------------------------------------------------------------
// Encoders

export function isAscii(bytes: Uint8Array): boolean {
  return bytes.every((b) => b < 0x80);
}

// Whether the charset holds every character of the text (iconv-lite puts "?" for those it
// cannot encode, so a round trip tells).
export function canEncode(text: string, charset: string): boolean {
  if (/^us-?ascii$/i.test(charset)) return /^[\x20-\x7e]*$/.test(text);
  return iconv.decode(iconv.encode(text, charset), charset) === text;
}

// The text in the charset: UTF-16 little-endian with a byte order mark, the others without one.
export function encodeText(text: string, charset: Charset): Buffer {
  return iconv.encode(text, charset, { addBOM: charset === 'utf-16' });
}

export function encodeBase64(bytes: Uint8Array): string {
  const flat = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 76) lines.push(flat.slice(i, i + 76));
  return lines.join(CRLF);
}

// RFC 2045 quoted-printable. CRLF in the bytes is a line break of the text (written as is);
// any other CR or LF is encoded. Lines are at most 76 characters, soft breaks included;
// whitespace at the end of a line is encoded, and an "=XX" is never cut.
export function encodeQuotedPrintable(bytes: Uint8Array): string {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  lines.push(bytes.subarray(start));
  return lines.map(quotedPrintableLine).join(CRLF);
}

function quotedPrintableLine(line: Uint8Array): string {
  const tokens = Array.from(line, (b, i) => {
    const last = i === line.length - 1;
    if ((b === 0x20 || b === 0x09) && !last) return String.fromCharCode(b);
    if (b >= 0x21 && b <= 0x7e && b !== 0x3d) return String.fromCharCode(b);
    return `=${hex(b)}`;
  });
  const out: string[] = [];
  let current = '';
  tokens.forEach((token, i) => {
    const limit = i === tokens.length - 1 ? 76 : 75; // room for the soft break's "="
    if (current.length + token.length > limit) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  });
  out.push(current);
  return out.join(CRLF);
}

const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');

function encodeBody(bytes: Uint8Array, encoding: TransferEncoding): Buffer {
  switch (encoding) {
    case 'base64':
      return Buffer.from(encodeBase64(bytes), 'latin1');
    case 'quoted-printable':
      return Buffer.from(encodeQuotedPrintable(bytes), 'latin1');
    case '7bit':
      if (!isAscii(bytes)) throw new Error('mime-builder: 7bit with 8-bit bytes');
      return Buffer.from(bytes);
    case '8bit':
      return Buffer.from(bytes);
  }
}

// RFC 2047 "Q": only letters, digits and !*+-/ as themselves (allowed in every context,
// phrases included), a space as "_", the rest as "=XX".
function qEncode(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9!*+\-/]/.test(c)) return c;
    if (b === 0x20) return '_';
    return `=${hex(b)}`;
  }).join('');
}

// The text as RFC 2047 encoded words, each at most 75 characters and each holding whole
// characters (a multibyte character is never split between two words). The whitespace between
// encoded words is dropped by a decoder, so the text's own spaces are inside the words.
export function encodedWords(
  text: string,
  charset: string,
  mode: 'B' | 'Q',
  firstMax = 75, // the first word's room, when it shares its line with the header's name
): string[] {
  const prefix = `=?${charset}?${mode}?`;
  const encode = (s: string) => {
    const bytes = iconv.encode(s, charset);
    return mode === 'B' ? bytes.toString('base64') : qEncode(bytes);
  };
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    const next = chunk + ch;
    const max = words.length === 0 ? Math.min(firstMax, 75) : 75;
    if (chunk && prefix.length + encode(next).length + 2 > max) {
      words.push(`${prefix}${encode(chunk)}?=`);
      chunk = ch;
    } else {
      chunk = next;
    }
  }
  if (chunk || words.length === 0) words.push(`${prefix}${encode(chunk)}?=`);
  return words;
}

// The same as one header value: the encoded words separated by spaces (a long text gives more
// than one word; fold between them with `foldHeader` if the line gets long).
export function encodedWordFor(text: string, charset: string, mode: 'B' | 'Q'): string {
  return encodedWords(text, charset, mode).join(' ');
}

// "Name: atom atom ...", folded (CRLF and a space) before an atom that would take the line past
// 78 characters. Folding only where a space already is keeps the value as it was once unfolded.
// (The first atom stays on the name's line: keep it short enough, see `encodedWords`.)
export function foldHeader(name: string, atoms: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let empty = true;
  for (const atom of atoms) {
    if (!empty && line.length + 1 + atom.length > 78) {
      lines.push(line);
      line = ` ${atom}`;
    } else {
      line += ` ${atom}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join(CRLF);
}

// An RFC 2231 parameter: charset'' and percent-encoded octets, cut into numbered continuations
// when long (never inside a character).
function rfc2231Param(name: string, value: string, charset: string): string[] {
  const pieces = [...value].map((ch) =>
    Array.from(iconv.encode(ch, charset), (b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${hex(b)}`;
    }).join(''),
  );
  const segments: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + piece.length > 42) {
      segments.push(current);
      current = '';
    }
    current += piece;
  }
  segments.push(current);
  if (segments.length === 1) return [`${name}*=${charset}''${segments[0]}`];
  return segments.map((s, i) => `${name}*${i}*=${i === 0 ? `${charset}''` : ''}${s}`);
}

// "a;" "b;" "c": a header's parameters as atoms for `foldHeader`.
const withSemicolons = (atoms: string[]) =>
  atoms.map((a, i) => (i < atoms.length - 1 ? `${a};` : a));

// ---------------------------------------------------------------------------------------------
// Words

const RUSSIAN_WORDS =
  'письмо заявление розыск родственник семья адрес город сестра брат мать отец ищу помогите ' +
  'найти пропал ёлка объявление съезд щука южный эхо жёлтый подъезд Москва Ростов Ёжик';
const UKRAINIAN_WORDS =
  'пошук родина їжак ґанок європа місто дякую батько шукаю їхати єдність ґудзик біженець ' +
  'допоможіть інформація рідні область вулиця село Київ Львів Ґалаґан Євген Ірпінь';
const LATIN_WORDS =
  'family search sister brother mother please help letter address city missing contact news ' +
  'thanks homecoming Kyiv Odesa Lviv';
const DICTIONARY = `${RUSSIAN_WORDS} ${UKRAINIAN_WORDS} ${LATIN_WORDS}`.split(' ');
const CYRILLIC_LETTERS = [...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ'];
const LATIN_LETTERS = [...'abcdefghijklmnopqrstuvwxyz'];
const FIRST_NAMES = 'Олена Ірина Дмитрий Наталья Сергій Юлія Андрей Євген Ганна Пётр Ґрета Їржі';
const LAST_NAMES = 'Коваленко Шевчук Иванов Петренко Бойко Ткаченко Мельник Кузнецов Ґудзь Лісовий';

// Words encodable in every one of the charsets ('us-ascii' for Latin only): from the dictionary
// or random letters, now and then capitalised or followed by a punctuation mark.
const wordArbs = new Map<string, fc.Arbitrary<string>>();
function wordArb(charsets: readonly string[]): fc.Arbitrary<string> {
  const key = [...charsets].sort().join(',');
  const cached = wordArbs.get(key);
  if (cached) return cached;
  const fits = (w: string) => charsets.every((cs) => canEncode(w, cs));
  const dictionary = DICTIONARY.filter(fits);
  const cyrillic = CYRILLIC_LETTERS.filter(fits);
  const bases: fc.Arbitrary<string>[] = [
    fc.constantFrom(...dictionary),
    fc.string({ unit: fc.constantFrom(...LATIN_LETTERS), minLength: 2, maxLength: 10 }),
  ];
  if (cyrillic.length > 0) {
    bases.push(fc.string({ unit: fc.constantFrom(...cyrillic), minLength: 2, maxLength: 10 }));
    bases.push(fc.string({ unit: fc.constantFrom(...cyrillic), minLength: 2, maxLength: 10 }));
  }
  const arb = fc
    .tuple(
      fc.oneof(...bases),
      fc.boolean(),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: fc.constantFrom(',', '.', '!', '?') },
      ),
    )
    .map(([word, capital, mark]) => {
      const upper = word.charAt(0).toUpperCase() + word.slice(1);
      return (capital && fits(upper) ? upper : word) + mark;
    });
  wordArbs.set(key, arb);
  return arb;
}

// 2–29 words (any number as likely as another): with the part's token, 3–30.
const wordsArb = (charsets: readonly string[]) =>
  fc.array(wordArb(charsets), { minLength: 2, maxLength: 29, size: 'max' });

const latinOnlyArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

// ---------------------------------------------------------------------------------------------
// The description of a message

interface TextPartSpec {
  charset: Charset;
  encoding: TransferEncoding;
  labelStyle: number;
  inlineDisposition: boolean;
  declareAscii?: boolean; // the `wrong-charset` breakage
}

interface TextSpec {
  kind: 'text';
  subtype: 'plain' | 'html';
  words: string[];
  tokenAt: number;
  htmlStyle: number;
  part: TextPartSpec;
}

interface BoundarySeed {
  style: number;
  body: string;
  preamble: boolean;
  epilogue: boolean;
}

interface ResourceSpec {
  kind: 'resource';
  mime: 'image/png' | 'application/octet-stream';
  bytes: Uint8Array;
  name: string;
}

type FileNameSpec =
  | { cyrillic: false; base: string }
  | { cyrillic: true; words: string[]; separator: string; charset: 'utf-8' | 'windows-1251' };

interface AttachmentSpec {
  kind: 'attachment';
  mime: 'application/pdf' | 'application/octet-stream';
  bytes: Uint8Array;
  name: FileNameSpec;
  typeName: 'none' | 'same' | 'rfc2047';
}

interface AlternativeSpec {
  kind: 'alternative';
  words: string[];
  tokenAt: number;
  htmlStyle: number;
  plain: TextPartSpec;
  html: TextPartSpec;
  resources: ResourceSpec[]; // when any, the HTML is in a multipart/related with them
  seed: BoundarySeed;
  relatedSeed: BoundarySeed;
}

interface RelatedSpec {
  kind: 'related';
  root: TextSpec | AlternativeSpec;
  resources: ResourceSpec[];
  seed: BoundarySeed;
}

interface MixedSpec {
  kind: 'mixed';
  children: NodeSpec[];
  seed: BoundarySeed;
}

type SubjectSpec =
  | { kind: 'ascii'; words: string[] }
  | {
      kind: 'encoded';
      mode: 'B' | 'Q';
      charset: HeaderCharset;
      labelStyle: number;
      words: string[];
    };

interface EmbeddedSpec {
  kind: 'embedded';
  fromLocal: string;
  subject: SubjectSpec;
  text: TextSpec;
  attachment: AttachmentSpec | null;
  seed: BoundarySeed;
  disposition: boolean;
}

type NodeSpec =
  TextSpec | AttachmentSpec | EmbeddedSpec | AlternativeSpec | RelatedSpec | MixedSpec;

type NameSpec =
  | { kind: 'none' }
  | { kind: 'ascii'; words: string[] }
  | {
      kind: 'encoded';
      mode: 'B' | 'Q';
      charset: HeaderCharset;
      labelStyle: number;
      first: string;
      last: string;
    };

interface MessageSpec {
  fromLocal: string;
  fromName: NameSpec;
  subject: SubjectSpec;
  epochSeconds: number;
  zone: string;
  idLocal: string;
  nonce: string;
  root: NodeSpec;
  broken: { kind: Breakage; which: number } | null;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const lowerAlnum = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

function encodingArb(charset: Charset, latinOnly: boolean): fc.Arbitrary<TransferEncoding> {
  if (charset === 'utf-16') return fc.constant('base64');
  if (latinOnly) return fc.constantFrom('7bit', '8bit', 'quoted-printable', 'base64');
  return fc.constantFrom('8bit', 'quoted-printable', 'base64');
}

const textPartArb = (charset: Charset, latinOnly: boolean): fc.Arbitrary<TextPartSpec> =>
  fc.record({
    charset: fc.constant(charset),
    encoding: encodingArb(charset, latinOnly),
    labelStyle: fc.nat(3),
    inlineDisposition: fc.oneof(
      { weight: 4, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  });

const textArb = (subtype: 'plain' | 'html'): fc.Arbitrary<TextSpec> =>
  fc.tuple(fc.constantFrom(...CHARSETS), latinOnlyArb).chain(([charset, latinOnly]) =>
    fc.record({
      kind: fc.constant('text' as const),
      subtype: fc.constant(subtype),
      words: wordsArb(latinOnly ? ['us-ascii'] : [charset]),
      tokenAt: fc.nat(),
      htmlStyle: fc.nat(3),
      part: textPartArb(charset, latinOnly),
    }),
  );

// Boundary characters (RFC 2046 bchars) but ".", which `makeBoundary` keeps for its suffix; a
// space in about one boundary in ten, never first.
const BOUNDARY_CHARS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  ..."'()+_,-/:=?",
];
const seedArb: fc.Arbitrary<BoundarySeed> = fc.record({
  style: fc.nat(7),
  body: fc
    .tuple(
      fc.constantFrom(...BOUNDARY_CHARS),
      fc.string({
        unit: fc.oneof(
          { weight: 150, arbitrary: fc.constantFrom(...BOUNDARY_CHARS) },
          { weight: 1, arbitrary: fc.constant(' ') },
        ),
        maxLength: 32,
      }),
    )
    .map(([first, rest]) => first + rest),
  preamble: fc.boolean(),
  epilogue: fc.boolean(),
});

const asciiNameArb = fc.string({
  unit: fc.constantFrom(...LATIN_LETTERS, ...'0123456789_-'),
  minLength: 1,
  maxLength: 20,
});

const resourceArb: fc.Arbitrary<ResourceSpec> = fc.record({
  kind: fc.constant('resource' as const),
  mime: fc.constantFrom('image/png' as const, 'application/octet-stream' as const),
  bytes: fc.uint8Array({ maxLength: 600 }),
  name: asciiNameArb,
});

const fileNameArb: fc.Arbitrary<FileNameSpec> = fc.oneof(
  fc.record({ cyrillic: fc.constant(false as const), base: asciiNameArb }),
  fc.constantFrom('utf-8' as const, 'windows-1251' as const).chain((charset) =>
    fc.record({
      cyrillic: fc.constant(true as const),
      words: fc.array(
        fc.string({
          unit: fc.constantFrom(...CYRILLIC_LETTERS.filter((c) => canEncode(c, charset))),
          minLength: 1,
          maxLength: 12,
        }),
        { minLength: 1, maxLength: 4 },
      ),
      separator: fc.constantFrom(' ', '_', '-'),
      charset: fc.constant(charset),
    }),
  ),
);

const attachmentArb: fc.Arbitrary<AttachmentSpec> = fc.record({
  kind: fc.constant('attachment' as const),
  mime: fc.constantFrom('application/pdf' as const, 'application/octet-stream' as const),
  bytes: fc.uint8Array({ maxLength: 2000 }),
  name: fileNameArb,
  typeName: fc.constantFrom('none' as const, 'same' as const, 'rfc2047' as const),
});

const subjectArb: fc.Arbitrary<SubjectSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('ascii' as const),
    words: fc.array(wordArb(['us-ascii']), { minLength: 1, maxLength: 12 }),
  }),
  fc.constantFrom(...HEADER_CHARSETS).chain((charset) =>
    fc.record({
      kind: fc.constant('encoded' as const),
      mode: fc.constantFrom('B' as const, 'Q' as const),
      charset: fc.constant(charset),
      labelStyle: fc.nat(3),
      words: fc.array(wordArb([charset]), { minLength: 1, maxLength: 12 }),
    }),
  ),
);

const nameArb: fc.Arbitrary<NameSpec> = fc.oneof(
  fc.record({ kind: fc.constant('none' as const) }),
  fc.record({
    kind: fc.constant('ascii' as const),
    words: fc.array(wordArb(['us-ascii']), { minLength: 1, maxLength: 3 }),
  }),
  fc.constantFrom(...HEADER_CHARSETS).chain((charset) => {
    const fits = (w: string) => canEncode(w, charset);
    return fc.record({
      kind: fc.constant('encoded' as const),
      mode: fc.constantFrom('B' as const, 'Q' as const),
      charset: fc.constant(charset),
      labelStyle: fc.nat(3),
      first: fc.constantFrom(...FIRST_NAMES.split(' ').filter(fits)),
      last: fc.constantFrom(...LAST_NAMES.split(' ').filter(fits)),
    });
  }),
);

const localPartArb = fc
  .tuple(
    fc.array(fc.string({ unit: fc.constantFrom(...lowerAlnum), minLength: 1, maxLength: 8 }), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.constantFrom('.', '_', '-'),
  )
  .map(([segments, separator]) => segments.join(separator));

const embeddedArb: fc.Arbitrary<EmbeddedSpec> = fc.record({
  kind: fc.constant('embedded' as const),
  fromLocal: localPartArb,
  subject: subjectArb,
  text: textArb('plain'),
  attachment: fc.option(attachmentArb, { nil: null }),
  seed: seedArb,
  disposition: fc.boolean(),
});

// `levels`: how many levels of multipart the node may take, itself included.
function alternativeArb(levels: number): fc.Arbitrary<AlternativeSpec> {
  return fc
    .tuple(fc.constantFrom(...CHARSETS), fc.constantFrom(...CHARSETS), latinOnlyArb)
    .chain(([plainCharset, htmlCharset, latinOnly]) =>
      fc.record({
        kind: fc.constant('alternative' as const),
        words: wordsArb(latinOnly ? ['us-ascii'] : [plainCharset, htmlCharset]),
        tokenAt: fc.nat(),
        htmlStyle: fc.nat(3),
        plain: textPartArb(plainCharset, latinOnly),
        html: textPartArb(htmlCharset, latinOnly),
        resources:
          levels >= 2
            ? fc.oneof(
                { weight: 3, arbitrary: fc.constant<ResourceSpec[]>([]) },
                { weight: 1, arbitrary: fc.array(resourceArb, { minLength: 1, maxLength: 2 }) },
              )
            : fc.constant<ResourceSpec[]>([]),
        seed: seedArb,
        relatedSeed: seedArb,
      }),
    );
}

function relatedArb(levels: number): fc.Arbitrary<RelatedSpec> {
  return fc.record({
    kind: fc.constant('related' as const),
    root: levels >= 2 ? fc.oneof(textArb('html'), alternativeArb(1)) : textArb('html'),
    resources: fc.array(resourceArb, { minLength: 1, maxLength: 2 }),
    seed: seedArb,
  });
}

function childArb(levels: number): fc.Arbitrary<NodeSpec> {
  const options: fc.WeightedArbitrary<NodeSpec>[] = [
    { weight: 4, arbitrary: textArb('plain') },
    { weight: 1, arbitrary: textArb('html') },
    { weight: 3, arbitrary: attachmentArb },
    { weight: 1, arbitrary: embeddedArb },
  ];
  if (levels >= 1) {
    options.push({ weight: 2, arbitrary: alternativeArb(levels) });
    options.push({ weight: 1, arbitrary: relatedArb(levels) });
    options.push({ weight: 1, arbitrary: mixedArb(levels, false) });
  }
  return fc.oneof(...options);
}

// The root's first part is text of some kind, as a mail program writes it.
function mixedArb(levels: number, root: boolean): fc.Arbitrary<MixedSpec> {
  const rest = childArb(levels - 1);
  const children = root
    ? fc
        .tuple(
          fc.oneof(
            { weight: 3, arbitrary: textArb('plain') },
            { weight: 1, arbitrary: textArb('html') },
            { weight: 2, arbitrary: alternativeArb(levels - 1) },
            { weight: 1, arbitrary: relatedArb(levels - 1) },
          ),
          fc.array(rest, { maxLength: 3 }),
        )
        .map(([first, others]) => [first, ...others])
    : fc.array(rest, { minLength: 1, maxLength: 3 });
  return fc.record({ kind: fc.constant('mixed' as const), children, seed: seedArb });
}

const MAX_LEVELS = 3;

const rootArb: fc.Arbitrary<NodeSpec> = fc.oneof(
  { weight: 2, arbitrary: textArb('plain') },
  { weight: 4, arbitrary: mixedArb(MAX_LEVELS, true) },
  { weight: 1, arbitrary: alternativeArb(MAX_LEVELS) },
  { weight: 1, arbitrary: relatedArb(MAX_LEVELS) },
);

const brokenArb = (enabled: boolean) =>
  enabled
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constantFrom<Breakage>('boundary-mismatch', 'missing-close', 'wrong-charset'),
            which: fc.nat(),
          }),
        },
      )
    : fc.constant(null);

const ZONES = ['+0000', '+0300', '+0200', '-0500', '+0530', '-0800', '+1200'];

function messageSpecArb(options: MessageOptions): fc.Arbitrary<MessageSpec> {
  return fc.record({
    fromLocal: localPartArb,
    fromName: nameArb,
    subject: subjectArb,
    epochSeconds: fc.integer({ min: 1_400_000_000, max: 1_900_000_000 }),
    zone: fc.constantFrom(...ZONES),
    idLocal: fc.string({ unit: fc.constantFrom(...lowerAlnum), minLength: 4, maxLength: 16 }),
    nonce: fc.string({ unit: fc.constantFrom(...LATIN_LETTERS), minLength: 3, maxLength: 3 }),
    root: rootArb,
    broken: brokenArb(options.brokenBoundaries ?? false),
  });
}

// Every message a new serial: see the note at the top.
let serial = 0;
const RUN = randomBytes(4).toString('hex');

export function messageArbitrary(options: MessageOptions = {}): fc.Arbitrary<BuiltMessage> {
  return messageSpecArb(options).map((spec) => buildMessage(spec, (serial++).toString(36)));
}

// ---------------------------------------------------------------------------------------------
// Writing a message out

interface Entity {
  headers: string[]; // folded header fields
  body: Buffer;
  shape: string; // for the description
}

interface Context {
  serial: string;
  nonce: string;
  boundaries: number;
  tokens: number;
  multiparts: number;
  embedded: boolean;
  broken: { kind: Breakage; target: number } | null;
  notes: string[];
  parts: BuiltPart[];
  multipartsOut: BuiltMultipart[];
  texts: string[];
  embeddedTexts: string[];
}

const pathOf = (path: number[]) => (path.length ? path.join('.') : '1');

function charsetLabel(charset: string, style: number): string {
  const label = style % 2 === 1 ? charset.toUpperCase() : charset;
  return style >= 2 ? `"${label}"` : label;
}

function token(ctx: Context): string {
  ctx.tokens += 1;
  return `${ctx.nonce}${ctx.serial}t${ctx.tokens}`;
}

function sentence(words: string[], tokenAt: number, tok: string): string {
  const all = [...words];
  all.splice(tokenAt % (words.length + 1), 0, tok);
  return all.join(' ');
}

const HTML_STYLES = [
  (t: string) => `<html><body><p>${t}</p></body></html>`,
  (t: string) => `<div><p>${t}</p></div>`,
  (t: string) => `<p>${t}</p>`,
  (t: string) => `<div dir="ltr"><p class="MsoNormal">${t}</p></div>`,
];

function recordText(ctx: Context, text: string) {
  const list = ctx.embedded ? ctx.embeddedTexts : ctx.texts;
  if (!list.includes(text)) list.push(text);
}

function renderText(
  subtype: 'plain' | 'html',
  text: string,
  htmlStyle: number,
  part: TextPartSpec,
  path: number[],
  ctx: Context,
): Entity {
  const source = subtype === 'html' ? HTML_STYLES[htmlStyle % HTML_STYLES.length](text) : text;
  if (!canEncode(source, part.charset)) {
    throw new Error(`mime-builder: ${part.charset} cannot encode ${JSON.stringify(source)}`);
  }
  const bytes = encodeText(source, part.charset);
  const declared = part.declareAscii ? 'us-ascii' : part.charset;
  const label = charsetLabel(declared, part.labelStyle);
  const headers = [
    foldHeader('Content-Type', [`text/${subtype};`, `charset=${label}`]),
    `Content-Transfer-Encoding: ${part.encoding}`,
  ];
  if (part.inlineDisposition) headers.push('Content-Disposition: inline');
  recordText(ctx, text);
  if (!ctx.embedded) {
    ctx.parts.push({
      path: pathOf(path),
      contentType: `text/${subtype}`,
      transferEncoding: part.encoding,
      charset: part.charset,
      declaredCharset: declared,
      text,
    });
    if (part.declareAscii) {
      ctx.notes.push(`part ${pathOf(path)} declares charset=us-ascii on 8-bit UTF-8 bytes`);
    }
  }
  return {
    headers,
    body: encodeBody(bytes, part.encoding),
    shape: `text/${subtype}(${declared}${declared === part.charset ? '' : `!=${part.charset}`},${part.encoding})`,
  };
}

const BOUNDARY_STYLES = [
  '',
  '----=_Part_',
  '=_',
  '_----------=_',
  'Apple-Mail=_',
  '------------',
  'b1_',
  '--==',
];

// RFC 2046: 1–70 bchars, not ending in a space. The suffix ".n." (n a counter of the message,
// "." nowhere else) makes every boundary unique and none a prefix of another, inside a
// message/rfc822 part too.
function makeBoundary(seed: BoundarySeed, variant: number, ctx: Context): string {
  const prefix = BOUNDARY_STYLES[(seed.style + variant) % BOUNDARY_STYLES.length];
  const boundary = `${prefix}${seed.body}.${ctx.boundaries++}.`;
  if (boundary.length > 70) throw new Error(`mime-builder: boundary too long: ${boundary}`);
  return boundary;
}

type Child = (path: number[]) => Entity;

function renderMultipart(
  subtype: BuiltMultipart['subtype'],
  seed: BoundarySeed,
  path: number[],
  ctx: Context,
  children: Child[],
  extraParams: string[] = [],
): Entity {
  const index = ctx.embedded ? -1 : ctx.multiparts++;
  const boundary = makeBoundary(seed, 0, ctx);
  let declared = boundary;
  let closed = true;
  const where = `multipart/${subtype} at ${path.length ? path.join('.') : 'the root'}`;
  if (ctx.broken && ctx.broken.target === index) {
    if (ctx.broken.kind === 'boundary-mismatch') {
      declared = makeBoundary(seed, 1, ctx);
      ctx.notes.push(`${where} declares boundary "${declared}" but its parts use "${boundary}"`);
    } else {
      closed = false;
      ctx.notes.push(`${where} has no close delimiter "--${boundary}--"`);
    }
  }
  const rendered = children.map((child, i) => child([...path, i + 1]));
  const chunks: Buffer[] = [];
  const text = (s: string) => chunks.push(Buffer.from(s, 'latin1'));
  if (seed.preamble) text(`This is a multi-part message in MIME format.${CRLF}${CRLF}`);
  for (const entity of rendered) {
    text(`--${boundary}${CRLF}${entity.headers.join(CRLF)}${CRLF}${CRLF}`);
    chunks.push(entity.body);
    text(CRLF);
  }
  if (closed) {
    text(`--${boundary}--${CRLF}`);
    if (seed.epilogue) text(`This is the epilogue.${CRLF}`);
  }
  if (!ctx.embedded) {
    ctx.multipartsOut.push({
      path: path.join('.'),
      subtype,
      boundary,
      declaredBoundary: declared,
      closed,
      parts: children.length,
    });
  }
  return {
    headers: [
      foldHeader(
        'Content-Type',
        withSemicolons([`multipart/${subtype}`, ...extraParams, `boundary="${declared}"`]),
      ),
    ],
    body: Buffer.concat(chunks),
    shape: `multipart/${subtype}[${rendered.map((e) => e.shape).join(', ')}]`,
  };
}

function fileName(spec: FileNameSpec, extension: string): string {
  return (spec.cyrillic ? spec.words.join(spec.separator) : spec.base) + extension;
}

function renderAttachment(spec: AttachmentSpec, path: number[], ctx: Context): Entity {
  const extension = spec.mime === 'application/pdf' ? '.pdf' : '.bin';
  const name = fileName(spec.name, extension);
  const bytes =
    spec.mime === 'application/pdf'
      ? Buffer.concat([
          Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
          spec.bytes,
          Buffer.from('\n%%EOF\n', 'latin1'),
        ])
      : Buffer.from(spec.bytes);
  let typeParams: string[] = [];
  let dispositionParams: string[];
  if (spec.name.cyrillic) {
    dispositionParams = rfc2231Param('filename', name, spec.name.charset);
    if (spec.typeName === 'same') typeParams = rfc2231Param('name', name, spec.name.charset);
    if (spec.typeName === 'rfc2047') {
      const words = encodedWords(name, 'utf-8', 'B');
      // One encoded word in the quotes, as mail programs write it (short enough for the line to
      // stay within 78 characters); a longer name gets RFC 2231.
      typeParams =
        words.length === 1 && words[0].length <= 68
          ? [`name="${words[0]}"`]
          : rfc2231Param('name', name, 'utf-8');
    }
  } else {
    dispositionParams = [`filename="${name}"`];
    if (spec.typeName !== 'none') typeParams = [`name="${name}"`];
  }
  if (!ctx.embedded) {
    ctx.parts.push({
      path: pathOf(path),
      contentType: spec.mime,
      transferEncoding: 'base64',
      filename: name,
      size: bytes.length,
    });
  }
  return {
    headers: [
      foldHeader('Content-Type', withSemicolons([spec.mime, ...typeParams])),
      'Content-Transfer-Encoding: base64',
      foldHeader('Content-Disposition', withSemicolons(['attachment', ...dispositionParams])),
    ],
    body: encodeBody(bytes, 'base64'),
    shape: `${spec.mime}(${JSON.stringify(name)}${spec.name.cyrillic ? `,rfc2231 ${spec.name.charset}` : ''})`,
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function renderResource(spec: ResourceSpec, path: number[], ctx: Context): Entity {
  const png = spec.mime === 'image/png';
  const name = `${spec.name}${png ? '.png' : '.dat'}`;
  const bytes = png ? Buffer.concat([PNG_SIGNATURE, spec.bytes]) : Buffer.from(spec.bytes);
  const contentId = `${token(ctx)}.${spec.name}@mail.test`;
  if (!ctx.embedded) {
    ctx.parts.push({
      path: pathOf(path),
      contentType: spec.mime,
      transferEncoding: 'base64',
      filename: name,
      size: bytes.length,
      contentId,
    });
  }
  return {
    headers: [
      foldHeader('Content-Type', [`${spec.mime};`, `name="${name}"`]),
      'Content-Transfer-Encoding: base64',
      foldHeader('Content-ID', [`<${contentId}>`]),
      foldHeader('Content-Disposition', ['inline;', `filename="${name}"`]),
    ],
    body: encodeBody(bytes, 'base64'),
    shape: `${spec.mime}(inline ${JSON.stringify(name)})`,
  };
}

function renderAlternative(spec: AlternativeSpec, path: number[], ctx: Context): Entity {
  const text = sentence(spec.words, spec.tokenAt, token(ctx));
  const plain: Child = (p) => renderText('plain', text, 0, spec.plain, p, ctx);
  const html: Child = (p) => renderText('html', text, spec.htmlStyle, spec.html, p, ctx);
  const second: Child =
    spec.resources.length === 0
      ? html
      : (p) =>
          renderMultipart(
            'related',
            spec.relatedSeed,
            p,
            ctx,
            [
              html,
              ...spec.resources.map(
                (r): Child =>
                  (q) =>
                    renderResource(r, q, ctx),
              ),
            ],
            ['type="text/html"'],
          );
  return renderMultipart('alternative', spec.seed, path, ctx, [plain, second]);
}

function renderRelated(spec: RelatedSpec, path: number[], ctx: Context): Entity {
  const root: Child = (p) => renderNode(spec.root, p, ctx);
  const type = spec.root.kind === 'text' ? 'text/html' : 'multipart/alternative';
  return renderMultipart(
    'related',
    spec.seed,
    path,
    ctx,
    [
      root,
      ...spec.resources.map(
        (r): Child =>
          (q) =>
            renderResource(r, q, ctx),
      ),
    ],
    [`type="${type}"`],
  );
}

function renderEmbedded(spec: EmbeddedSpec, path: number[], ctx: Context): Entity {
  const wasEmbedded = ctx.embedded;
  ctx.embedded = true;
  const subject = subjectHeader(spec.subject);
  const body: NodeSpec = spec.attachment
    ? { kind: 'mixed', children: [spec.text, spec.attachment], seed: spec.seed }
    : spec.text;
  const entity = renderNode(body, [], ctx);
  ctx.embedded = wasEmbedded;
  const inner = Buffer.concat([
    Buffer.from(
      [
        `From: ${spec.fromLocal}@mail.test`,
        'To: someone@mail.test',
        subject.header,
        'Date: Mon, 2 Mar 2020 10:00:00 +0200',
        `Message-ID: <fwd.${token(ctx)}@mail.test>`,
        'MIME-Version: 1.0',
        ...entity.headers,
        '',
        '',
      ].join(CRLF),
      'latin1',
    ),
    entity.body,
  ]);
  const encoding = isAscii(inner) ? '7bit' : '8bit';
  const filename = spec.disposition ? 'forwarded.eml' : undefined;
  const headers = ['Content-Type: message/rfc822', `Content-Transfer-Encoding: ${encoding}`];
  if (filename) headers.push('Content-Disposition: attachment; filename="forwarded.eml"');
  if (!ctx.embedded) {
    ctx.parts.push({
      path: pathOf(path),
      contentType: 'message/rfc822',
      transferEncoding: encoding,
      filename,
      size: inner.length,
    });
  }
  return { headers, body: inner, shape: `message/rfc822{${entity.shape}}` };
}

function renderNode(spec: NodeSpec, path: number[], ctx: Context): Entity {
  switch (spec.kind) {
    case 'text':
      return renderText(
        spec.subtype,
        sentence(spec.words, spec.tokenAt, token(ctx)),
        spec.htmlStyle,
        spec.part,
        path,
        ctx,
      );
    case 'attachment':
      return renderAttachment(spec, path, ctx);
    case 'embedded':
      return renderEmbedded(spec, path, ctx);
    case 'alternative':
      return renderAlternative(spec, path, ctx);
    case 'related':
      return renderRelated(spec, path, ctx);
    case 'mixed':
      return renderMultipart(
        'mixed',
        spec.seed,
        path,
        ctx,
        spec.children.map(
          (child): Child =>
            (p) =>
              renderNode(child, p, ctx),
        ),
      );
  }
}

function subjectHeader(spec: SubjectSpec): { header: string; text: string; shape: string } {
  const text = spec.words.join(' ');
  if (spec.kind === 'ascii') {
    return { header: foldHeader('Subject', spec.words), text, shape: 'ascii' };
  }
  const label = charsetLabel(spec.charset, spec.labelStyle).replaceAll('"', '');
  return {
    header: foldHeader('Subject', encodedWords(text, label, spec.mode, 78 - 'Subject: '.length)),
    text,
    shape: `${spec.mode}/${label}`,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

// RFC 5322 date-time in the zone, e.g. "Tue, 1 Jul 2025 10:52:37 +0300".
function rfc5322Date(epochSeconds: number, zone: string): string {
  const sign = zone.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const d = new Date((epochSeconds + minutes * 60) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${zone}`
  );
}

// ---------------------------------------------------------------------------------------------
// Breakage

function countMultiparts(spec: NodeSpec): number {
  switch (spec.kind) {
    case 'mixed':
      return 1 + spec.children.reduce((n, c) => n + countMultiparts(c), 0);
    case 'alternative':
      return spec.resources.length > 0 ? 2 : 1;
    case 'related':
      return 1 + countMultiparts(spec.root);
    default:
      return 0;
  }
}

// The texts a `wrong-charset` breakage can take (not those of a message/rfc822 part).
function textHolders(spec: NodeSpec): (TextSpec | AlternativeSpec)[] {
  switch (spec.kind) {
    case 'text':
    case 'alternative':
      return [spec];
    case 'mixed':
      return spec.children.flatMap(textHolders);
    case 'related':
      return textHolders(spec.root);
    default:
      return [];
  }
}

// Declares us-ascii on a text part that is 8-bit UTF-8: the part becomes utf-8 and 8bit, and a
// text of Latin letters only gets a Cyrillic word in place of its first (so that its bytes are
// not ASCII, and it still has the same number of words).
function breakCharset(holder: TextSpec | AlternativeSpec) {
  const latin = holder.words.every((w) => /^[\x20-\x7e]*$/.test(w));
  if (latin) holder.words[0] = 'ёлка';
  const part = holder.kind === 'text' ? holder.part : holder.plain;
  part.charset = 'utf-8';
  part.encoding = '8bit';
  part.declareAscii = true;
  if (holder.kind === 'alternative' && holder.html.encoding === '7bit') {
    holder.html.encoding = '8bit';
  }
}

function planBreakage(spec: MessageSpec): { root: NodeSpec; broken: Context['broken'] } {
  if (!spec.broken) return { root: spec.root, broken: null };
  const root = structuredClone(spec.root);
  const multiparts = countMultiparts(root);
  const holders = textHolders(root);
  let kind = spec.broken.kind;
  if (kind !== 'wrong-charset' && multiparts === 0) kind = 'wrong-charset';
  if (kind === 'wrong-charset' && holders.length === 0) kind = 'missing-close';
  if (kind === 'wrong-charset') {
    breakCharset(holders[spec.broken.which % holders.length]);
    return { root, broken: { kind, target: -2 } };
  }
  return { root, broken: { kind, target: spec.broken.which % multiparts } };
}

// ---------------------------------------------------------------------------------------------

function buildMessage(spec: MessageSpec, serialText: string): BuiltMessage {
  const { root, broken } = planBreakage(spec);
  const ctx: Context = {
    serial: serialText,
    nonce: spec.nonce,
    boundaries: 0,
    tokens: 0,
    multiparts: 0,
    embedded: false,
    broken,
    notes: [],
    parts: [],
    multipartsOut: [],
    texts: [],
    embeddedTexts: [],
  };
  const entity = renderNode(root, [], ctx);

  const from = `${spec.fromLocal}@mail.test`;
  let fromName: string | undefined;
  let fromHeader: string;
  let fromShape: string;
  switch (spec.fromName.kind) {
    case 'none':
      fromHeader = foldHeader('From', [from]);
      fromShape = 'address only';
      break;
    case 'ascii':
      fromName = spec.fromName.words.join(' ').replace(/[^A-Za-z0-9 ]/g, '') || 'Sender';
      fromHeader = foldHeader('From', [`"${fromName}"`, `<${from}>`]);
      fromShape = 'ASCII name';
      break;
    case 'encoded': {
      const { mode, charset, labelStyle, first, last } = spec.fromName;
      fromName = `${first} ${last}`;
      const label = charsetLabel(charset, labelStyle).replaceAll('"', '');
      const words = encodedWords(fromName, label, mode, 78 - 'From: '.length);
      fromHeader = foldHeader('From', [...words, `<${from}>`]);
      fromShape = `name ${mode}/${label}`;
      break;
    }
  }
  const subject = subjectHeader(spec.subject);
  const messageId = `<${spec.idLocal}.${RUN}.${serialText}@mail.test>`;
  const head = [
    fromHeader,
    'To: cases@homecoming.test',
    subject.header,
    `Date: ${rfc5322Date(spec.epochSeconds, spec.zone)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    ...entity.headers,
    '',
    '',
  ].join(CRLF);
  const tail = entity.body.subarray(-2).toString('latin1') === CRLF ? '' : CRLF;
  const raw = Buffer.concat([
    Buffer.from(head, 'latin1'),
    entity.body,
    Buffer.from(tail, 'latin1'),
  ]);

  const brokenNote = ctx.notes.length ? `; BROKEN (${broken?.kind}): ${ctx.notes.join('; ')}` : '';
  return {
    raw,
    from,
    fromName,
    subject: subject.text,
    expectedTexts: ctx.texts,
    messageId,
    description: `${entity.shape}; subject ${subject.shape}; from ${fromShape}${brokenNote}`,
    parts: ctx.parts,
    multiparts: ctx.multipartsOut,
    attachments: ctx.parts
      .filter((p) => p.text === undefined)
      .map(({ filename, contentType, size, contentId }) => ({
        filename,
        contentType,
        size: size ?? 0,
        contentId,
      })),
    embeddedTexts: ctx.embeddedTexts,
    broken: broken?.kind,
  };
}
