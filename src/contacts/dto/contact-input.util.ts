// Date-times cross the API as ISO 8601 with an explicit offset: a promise to call "at 14:00"
// must not depend on the server's time zone.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export const INSTANT_MESSAGE =
  '$property must be an ISO 8601 date-time with an offset, e.g. 2026-05-01T14:00:00+03:00';

// For @Transform: a well-formed string naming a real day becomes a Date; anything else is left
// as it is, for @IsDate to name. (JavaScript would read 30 February as 2 March.)
export function toInstant({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const match = ISO_INSTANT.exec(value);
  if (!match) return value;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

// Blank optional text is no text.
export const trimOrUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() || undefined : value;
