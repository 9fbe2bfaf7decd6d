import type { ActRow } from './handover.service.js';
import { escapeHtml } from '../common/text/escape.js';

// An empty field shows as a dash on the printed act.
const escape = (value: unknown) => escapeHtml(value ?? '—');

const when = (date: Date | null, zone: string) =>
  date
    ? new Intl.DateTimeFormat('uk', {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: zone,
      }).format(date)
    : '—';

// The handover act as a page to print (A4): the case, the prisoner, the family member, the
// time and place, the act number, and a signature line for each person present. Everything
// from the database is escaped. Ukrainian, with English beneath each heading.
export function renderHandoverAct(act: ActRow, timeZone: string): string {
  const row = (uk: string, en: string, value: string) =>
    `<tr><th scope="row">${uk}<br><small>${en}</small></th><td>${value}</td></tr>`;
  const signatures = [
    ...act.officials.map((o) => escape(o)),
    `${escape(act.inquirer_name)} <small>(отримувач / received by)</small>`,
    `${escape(act.prisoner_name)} <small>(переданий / handed over)</small>`,
  ];
  return `<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<title>Акт передачі ${escape(act.act_number)} · ${escape(act.reference)}</title>
<style>
  @page { size: A4; margin: 20mm; }
  body { font: 12pt/1.4 "DejaVu Serif", Georgia, serif; color: #000; max-width: 170mm; margin: 0 auto; }
  h1 { font-size: 16pt; text-align: center; margin-bottom: 0; }
  p.sub { text-align: center; margin-top: 2pt; }
  table { width: 100%; border-collapse: collapse; margin: 12pt 0; }
  th, td { border: 1px solid #000; padding: 4pt 6pt; text-align: left; vertical-align: top; }
  th { width: 40%; font-weight: normal; }
  .sign { display: flex; justify-content: space-between; margin-top: 18pt; }
  .sign span:last-child { border-bottom: 1px solid #000; width: 45%; }
  @media screen { body { margin: 12mm auto; } }
</style>
</head>
<body>
<h1>Акт передачі № ${escape(act.act_number)}</h1>
<p class="sub">Handover act · справа / case ${escape(act.reference)}</p>
<table>
${row('Особа, яку передано', 'Person handed over', `${escape(act.prisoner_name)}, ${escape(act.prisoner_birth_date)}, № ${escape(act.personal_number)}`)}
${row('Отримувач', 'Received by', escape(act.inquirer_name))}
${row('Місце', 'Place', `${escape(act.name_uk)} / ${escape(act.name_en)}, ${escape(act.address)}`)}
${row('Призначено на', 'Scheduled for', escape(when(act.scheduled_at, timeZone)))}
${row('Передано', 'Handed over at', escape(when(act.handed_over_at, timeZone)))}
${row('Присутні посадові особи', 'Officials present', act.officials.map(escape).join('<br>'))}
${row('Записав / підтвердив', 'Recorded / confirmed by', `${escape(act.completed_by_name)} / ${escape(act.confirmed_by_name)}`)}
</table>
${signatures.map((s) => `<div class="sign"><span>${s}</span><span aria-label="підпис / signature"></span></div>`).join('\n')}
</body>
</html>
`;
}
