import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { STATUS_REPORT, TREND_REPORT, WORKLOAD_REPORT } from './reports.sql.js';

export const REPORTS = ['status', 'trend', 'workload'] as const;
export type ReportName = (typeof REPORTS)[number];

export interface ReportFilter {
  from?: Date;
  to?: Date;
  channel?: string;
  assignee?: string;
}

const SQL: Record<ReportName, string> = {
  status: STATUS_REPORT,
  trend: TREND_REPORT,
  workload: WORKLOAD_REPORT,
};

// Figures on where cases stand, for supervisors and the authority's leadership: set-based
// queries over the cases and their status history, filtered the same way.
@Injectable()
export class ReportsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run(name: ReportName, filter: ReportFilter): Promise<Record<string, unknown>[]> {
    return (await this.dataSource.query(SQL[name], [
      filter.from ?? null,
      filter.to ?? null,
      filter.channel ?? null,
      filter.assignee ?? null,
    ])) as Record<string, unknown>[];
  }
}

// RFC 4180; a cell a spreadsheet would run as a formula starts with a quote mark.
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const cell = (value: unknown) => {
    let text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))]
    .join('\r\n')
    .concat('\r\n');
}
