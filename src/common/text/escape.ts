// Text the server writes into documents people open: HTML pages to print (handover act,
// manifest, the families' status page) and CSV for spreadsheets (reports, exports).

export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

// One RFC 4180 cell; dates as ISO 8601; a cell a spreadsheet would run as a formula starts with
// a quote mark.
export function csvCell(value: unknown): string {
  let text = value instanceof Date ? value.toISOString() : value == null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
