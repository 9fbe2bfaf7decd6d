import type { Response } from 'express';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { csvCell } from '../common/text/escape.js';
import { dayRange, type ReportFilter } from './reports.service.js';

// Every inquiry matching the filters as CSV, streamed from a server-side cursor: memory stays
// flat however many there are. Case-status fields only — no names, contacts or documents. The
// closing time (the first entry into a closed_* status) is the one the reports keep per case.
// Instants leave PostgreSQL already written as ISO 8601 in UTC (as JavaScript writes them) and
// rows as arrays: parsing a million rows into objects and Dates was most of the export's time.
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const EXPORT = `
  SELECT i.reference, i.channel, i.status, i.priority, s.display_name AS assignee,
    ${iso('i.created_at')}, ${iso('i.updated_at')}, ${iso('f.first_closed_at')}
  FROM inquiry i LEFT JOIN staff_user s ON s.id = i.assigned_to
  LEFT JOIN report_inquiry_fact f ON f.inquiry_id = i.id
  WHERE i.created_at >= ($1::date::timestamp AT TIME ZONE 'UTC')
    AND i.created_at < ($2::date::timestamp AT TIME ZONE 'UTC')
    AND ($3::text IS NULL OR i.channel = $3)
    AND ($4::uuid IS NULL OR i.assigned_to = $4)
  ORDER BY i.created_at, i.id`;

export const EXPORT_COLUMNS = [
  'reference',
  'channel',
  'status',
  'priority',
  'assignee',
  'created_at',
  'updated_at',
  'closed_at',
] as const;

// Writes the CSV to `res`; resolves with the number of rows once the last byte is handed over.
export async function streamInquiryCsv(
  pool: Pool,
  filter: ReportFilter,
  res: Response,
): Promise<number> {
  const days = dayRange(filter.from, filter.to, false);
  const client = await pool.connect();
  let rows = 0;
  try {
    const query = client.query(
      new QueryStream(
        EXPORT,
        [days.first, days.end, filter.channel ?? null, filter.assignee ?? null],
        { batchSize: 2_000, rowMode: 'array' },
      ),
    );
    res.write(`${EXPORT_COLUMNS.join(',')}\r\n`);
    const toCsv = new Transform({
      writableObjectMode: true,
      transform(row: unknown[], _encoding, done) {
        rows += 1;
        done(null, `${row.map(csvCell).join(',')}\r\n`);
      },
    });
    await pipeline(query, toCsv, res);
    return rows;
  } finally {
    client.release();
  }
}
