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
const EXPORT = `
  SELECT i.reference, i.channel, i.status, i.priority, s.display_name AS assignee,
    i.created_at, i.updated_at, f.first_closed_at AS closed_at
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
        { batchSize: 2_000 },
      ),
    );
    res.write(`${EXPORT_COLUMNS.join(',')}\r\n`);
    const toCsv = new Transform({
      writableObjectMode: true,
      transform(row: Record<string, unknown>, _encoding, done) {
        rows += 1;
        done(null, `${EXPORT_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`);
      },
    });
    await pipeline(query, toCsv, res);
    return rows;
  } finally {
    client.release();
  }
}
