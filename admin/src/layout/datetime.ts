// The value a datetime-local input shows for a moment: minutes, in the browser's time zone.
// (The input's own value goes back to the API through new Date(value).toISOString().)
export function localInputValue(moment: Date | string | null | undefined): string {
  if (!moment) return '';
  const d = new Date(moment);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
