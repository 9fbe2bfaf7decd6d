// What an audit event records of a change: the fields whose values differ, `{ field: { from,
// to } }` (a side is left out when the field is absent there), with secrets masked. Names and
// addresses are kept on purpose — the trail must say whose record changed — but credentials,
// codes and document numbers never reach it.

export const MASKED = '[masked]';

export type AuditDiff = Record<string, { from?: unknown; to?: unknown }>;

// Secret wherever they appear in a key: `totpSecretEncrypted`, `csrfToken`, `sessionCookie`.
const SECRET_ANYWHERE = new Set([
  'secret',
  'secrets',
  'token',
  'tokens',
  'passphrase',
  'passwd',
  'credential',
  'credentials',
  'cookie',
  'cookies',
  'authorization',
]);
// Secret when they end the key (`newPassword`, `otp`), so that `passwordChangedAt` and
// `totpEnabled` stay readable.
const SECRET_LAST = new Set(['password', 'passwords', 'pwd', 'pin', 'otp', 'totp', 'hotp']);
const SECRET_PAIRS = new Set([
  'recovery code',
  'recovery codes',
  'backup code',
  'backup codes',
  'totp code',
  'otp code',
  'verification code',
  'document number',
  'document numbers',
  'passport number',
  'api key',
  'private key',
]);
// Ignored at the end of a key: `passwordHash` is as secret as `password`.
const QUALIFIERS = new Set(['hash', 'hashes', 'digest', 'encrypted', 'ciphertext', 'plain', 'raw']);

function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretKey(key: string): boolean {
  const words = wordsOf(key);
  if (words.some((w) => SECRET_ANYWHERE.has(w))) return true;
  while (words.length > 1 && QUALIFIERS.has(words.at(-1)!)) words.pop();
  const last = words.at(-1) ?? '';
  return SECRET_LAST.has(last) || SECRET_PAIRS.has(words.slice(-2).join(' '));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Deep copy with the values of secret keys replaced. Booleans and nulls are kept: "two-factor on"
// or "no password set" give nothing away.
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (!isPlainObject(value)) return value;
  // fromEntries, not assignment: a key named __proto__ stays a plain member.
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      isSecretKey(key) ? maskValue(v) : maskSecrets(v),
    ]),
  );
}

function maskValue(value: unknown): unknown {
  return value === null || typeof value === 'boolean' ? value : MASKED;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// Text exactly as PostgreSQL will store it (no NUL, no lone surrogate), so that what is hashed
// is what is read back.
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

// The value as JSON will carry it and PostgreSQL will store it: dates become ISO strings,
// undefined members disappear, bigints become strings, text is made storable (keys too).
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
  return json === undefined ? undefined : storable(JSON.parse(json) as unknown);
}

function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storable(v)]));
}

export function diffOf(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): AuditDiff {
  const from = (toJsonValue(before ?? {}) ?? {}) as Record<string, unknown>;
  const to = (toJsonValue(after ?? {}) ?? {}) as Record<string, unknown>;
  const changes: [string, { from?: unknown; to?: unknown }][] = [];
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  for (const key of keys) {
    const hasFrom = Object.hasOwn(from, key);
    const hasTo = Object.hasOwn(to, key);
    if (hasFrom && hasTo && sameJson(from[key], to[key])) continue;
    const mask = isSecretKey(key) ? maskValue : maskSecrets;
    changes.push([
      key,
      { ...(hasFrom ? { from: mask(from[key]) } : {}), ...(hasTo ? { to: mask(to[key]) } : {}) },
    ]);
  }
  return Object.fromEntries(changes);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]))
    );
  }
  return false;
}
