// The last four characters of a document number without its spaces — what staff are shown of
// it. Counted in code points: cutting between the two halves of a surrogate pair (an emoji, a
// rare script) would leave text PostgreSQL refuses to store.
export function lastFour(number: string): string {
  return Array.from(number.replace(/\s+/g, '')).slice(-4).join('');
}
