// What may never reach a log: credentials, and the personal data of families, prisoners and
// staff. Keys are matched by name at any depth; free text is scrubbed of anything that looks
// like an email address or a phone number, since names of people cannot be recognised in free
// text, they are only ever logged under a key (and masked there).

export const REDACTED = '[redacted]';

const SECRET_KEY =
  /pass(word|phrase)?|secret|token|authori[sz]ation|cookie|session|api[-_]?key|otp|totp|credential|signature|private/i;

const PERSONAL_KEY =
  /^(e-?mail|emails|phone|phones|mobile|name|names|full_?name|first_?name|last_?name|given_?names?|surname|patronymic|middle_?name|maiden_?name|mothers?_?maiden_?name|fathers?_?(first_?)?name|date_?of_?birth|dob|birth_?date|address|street|document_?number|passport|personal_?number|to|from|cc|bcc|reply_?to|recipient|sender)$/i;

// Letters of any script: addresses like ольга@почта.рф count too. A path such as
// node_modules/@nestjs/core does not (nothing may stand between "/" and "@").
const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
// Nine or more digits with the usual separators: phone numbers, but not dates, durations or a
// UUID whose first groups happen to be all digits (a hyphen and more follow).
const PHONE = /(?<![\w.-])\+?\d(?:[\s().-]{0,2}\d){8,}(?![\w]|-\w)/g;

export function isSensitiveKey(key: string): boolean {
  return SECRET_KEY.test(key) || PERSONAL_KEY.test(key);
}

export function scrubText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

// A path segment that is a secret: whatever follows /status/ (a family's link), and any long
// run of token characters that is not a record's UUID (a token of a route added later).
const TOKEN_AFTER = /^(status)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_LIKE = /^[A-Za-z0-9_-]{20,}$/;

function scrubPath(path: string): string {
  const segments = path.split('/');
  return segments
    .map((segment, i) => {
      const decoded = safeDecode(segment);
      if (i > 0 && TOKEN_AFTER.test(segments[i - 1]) && segment) return REDACTED;
      if (TOKEN_LIKE.test(decoded) && !UUID.test(decoded)) return REDACTED;
      return scrubText(segment);
    })
    .join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// Paths may carry tokens (a family's status link), query strings search terms and addresses:
// secrets in the path are dropped, query keys kept and their values dropped.
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return scrubPath(url);
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => `${pair.split('=')[0]}=${REDACTED}`);
  return `${scrubPath(url.slice(0, q))}?${params.join('&')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Deep copy with sensitive keys masked and strings scrubbed. Objects that are not plain (an
// IncomingMessage, an Error) are left to pino's serializers, which redact on their own.
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      v !== undefined && v !== null && isSensitiveKey(key) ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

export function redactHeaders(
  headers: Record<string, string | string[] | number | undefined>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = isSensitiveKey(name) ? REDACTED : redactValue(value);
  }
  return out;
}
