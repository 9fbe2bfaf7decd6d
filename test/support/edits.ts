import fc from 'fast-check';

// Random partial edits for property tests: each field an edit names carries what is sent and
// what its column must then hold, normalised as the API normalises it.

export interface Change {
  sent: unknown;
  stored: unknown;
}
export type Edit = Record<string, Change>;

export const change = (sent: unknown, stored: unknown = sent): Change => ({ sent, stored });
// The table's name for an API field: birthYear → birth_year.
export const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const sentOf = (edit: Edit) =>
  Object.fromEntries(Object.entries(edit).map(([field, c]) => [field, c.sent]));
export const storedOf = (edit: Edit) =>
  Object.fromEntries(Object.entries(edit).map(([field, c]) => [column(field), c.stored]));
// Any subset of the fields, each with its own change.
export const partial = (fields: Record<string, fc.Arbitrary<Change>>) =>
  fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<Edit>;
export const orNull = (value: fc.Arbitrary<Change>) =>
  fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fc.constant(change(null)) });

// Text as people type it: words, sometimes two spaces apart, sometimes with spaces around.
const WORDS = ['Петров', 'Ольга', 'Тамбов', 'Kyiv', 'Шевченко', 'в/ч 123', 'Lviv', 'Іваненко'];
export const text = fc
  .tuple(
    fc.constantFrom('', ' ', '  '),
    fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(' ', '  '),
    fc.constantFrom('', ' '),
  )
  .map(([before, words, gap, after]) => before + words.join(gap) + after);
export const asSent = text.map((s) => change(s));
export const trimmed = text.map((s) => change(s, s.trim()));
// Trimmed; nothing left (or null) clears it.
export const trimmedOrCleared = fc.oneof(
  { weight: 3, arbitrary: trimmed },
  { weight: 1, arbitrary: fc.constantFrom('', '   ').map((s) => change(s, null)) },
  { weight: 1, arbitrary: fc.constant(change(null)) },
);

// As typed, and as stored (E.164); emails are stored trimmed and in lower case.
export const PHONES: [string, string][] = [
  ['+7 916 123-45-67', '+79161234567'],
  ['+380 67 123 4567', '+380671234567'],
  ['+48 600 100 200', '+48600100200'],
  ['+7 (903) 555 12 34', '+79035551234'],
];
export const EMAILS = ['Olga.Petrova@Mail.RU', ' ivan@example.org ', 'MAMA@UKR.NET'];

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);
export const minuteFromNow = (minutes: number) =>
  new Date(Math.floor(Date.now() / 60_000 + minutes) * 60_000).toISOString();

// Timestamps compared as instants (PostgreSQL writes them with its own offset and precision).
export function normalised(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v).toISOString() : v,
    ]),
  );
}
