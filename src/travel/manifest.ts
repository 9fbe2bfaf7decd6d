import { csvCell, escapeHtml } from '../common/text/escape.js';
import type { BorderCrossing } from './border-crossing.entity.js';

export interface ManifestRow {
  reference: string;
  fullName: string;
  isInquirer: boolean;
  relationship: string | null;
  documentKind: string;
  documentLast4: string;
  plannedCrossingAt: Date;
  escortName: string | null;
  escortPhone: string | null;
}

const COLUMNS = [
  'reference',
  'traveller',
  'role',
  'document',
  'planned_crossing',
  'escort',
  'escort_phone',
];

const cellsOf = (r: ManifestRow, time: (d: Date) => string) => [
  r.reference,
  r.fullName,
  r.isInquirer ? 'inquirer' : (r.relationship ?? 'companion'),
  `${r.documentKind} …${r.documentLast4}`,
  time(r.plannedCrossingAt),
  r.escortName ?? '',
  r.escortPhone ?? '',
];

export function manifestCsv(rows: ManifestRow[], time: (d: Date) => string): string {
  return [COLUMNS, ...rows.map((r) => cellsOf(r, time))]
    .map((cells) => cells.map(csvCell).join(','))
    .join('\r\n')
    .concat('\r\n');
}

// The page a supervisor prints for the border: who is expected, with which document, for which
// case, met by whom.
export function manifestHtml(
  crossing: BorderCrossing,
  date: string,
  rows: ManifestRow[],
  time: (d: Date) => string,
): string {
  const body = rows
    .map(
      (r) =>
        `<tr>${cellsOf(r, time)
          .map((c) => `<td>${escapeHtml(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<title>${escapeHtml(crossing.nameUk)} · ${escapeHtml(date)}</title>
<style>
  @page { size: A4 landscape; margin: 12mm; }
  body { font: 11pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #000; }
  table { width: 100%; border-collapse: collapse; }
  th, td { border: 1px solid #000; padding: 3pt 5pt; text-align: left; }
</style>
</head>
<body>
<h1>${escapeHtml(crossing.nameUk)} / ${escapeHtml(crossing.namePl)} — ${escapeHtml(date)}</h1>
<p>Очікувані мандрівники / Expected travellers: ${rows.length}</p>
<table>
<thead><tr><th>Справа / Case</th><th>Мандрівник / Traveller</th><th>Роль / Role</th><th>Документ / Document</th><th>Перетин / Crossing</th><th>Супровід / Escort</th><th>Телефон / Phone</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
