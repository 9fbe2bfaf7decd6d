import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  type ReportSql,
  CHANNELS_REPORT,
  FUNNEL_REPORT,
  HANDOVERS_REPORT,
  ROUTES_REPORT,
  SERVICE_LEVELS_REPORT,
  STATUS_REPORT,
  TIME_IN_STATE_REPORT,
  TREND_REPORT,
  WORKLOAD_REPORT,
} from './reports.sql.js';
import { csvCell } from '../common/text/escape.js';
import { AppConfig } from '../config/app-config.js';

export const REPORTS = [
  'status',
  'funnel',
  'time-in-state',
  'service-levels',
  'workload',
  'channels',
  'routes',
  'handovers',
  'trend',
] as const;
export type ReportName = (typeof REPORTS)[number];

export interface ReportFilter {
  // UTC days, both included (YYYY-MM-DD).
  from?: string;
  to?: string;
  channel?: string;
  assignee?: string;
}

const SQL: Record<ReportName, ReportSql> = {
  status: STATUS_REPORT,
  funnel: FUNNEL_REPORT,
  'time-in-state': TIME_IN_STATE_REPORT,
  'service-levels': SERVICE_LEVELS_REPORT,
  workload: WORKLOAD_REPORT,
  channels: CHANNELS_REPORT,
  routes: ROUTES_REPORT,
  handovers: HANDOVERS_REPORT,
  trend: TREND_REPORT,
};

const highestParameter = (sql: string) =>
  Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));

// Figures on where cases stand, for supervisors and the authority's leadership, read from the
// tallies the database keeps (see reports.sql.ts and the ReportTallies migration).
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async run(name: ReportName, filter: ReportFilter): Promise<Record<string, unknown>[]> {
    const report = SQL[name];
    const days = dayRange(filter.from, filter.to, !report.daysOnly);
    const params = [
      filter.channel ?? null,
      filter.assignee ?? null,
      days.first,
      days.end,
      report.metrics,
      days.monthsFrom,
      days.monthsTo,
      this.config.reports.verificationWaitDays,
    ];
    return this.dataSource.transaction(async (manager) => {
      // Planned for these values: the app's connections plan generically by default (see
      // data-source-options.ts), and which index ranges a report reads depends on them. A few
      // thousand index entries: starting parallel workers costs more than it saves. Tallies and
      // facts are read by key from memory, where a random read costs about a sequential one.
      await manager.query(
        `SET LOCAL plan_cache_mode = force_custom_plan; ` +
          `SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL random_page_cost = 1.1`,
      );
      return (await manager.query(
        report.sql,
        params.slice(0, highestParameter(report.sql)),
      )) as Record<string, unknown>[];
    });
  }
}

export interface DayRange {
  first: string;
  // The day after the last.
  end: string;
  // The whole months inside [first, end), read at month grain; monthsFrom = monthsTo = end when
  // there are none.
  monthsFrom: string;
  monthsTo: string;
}

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (day: string) => {
  const d = new Date(`${monthOf(day)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};

// [from, to] as the half-open [first, end) the statements take, and the whole months in it.
export function dayRange(from?: string, to?: string, wholeMonths = true): DayRange {
  const first = from ?? '-infinity';
  const end = to ? addDays(to, 1) : 'infinity';
  const none = { first, end, monthsFrom: end, monthsTo: end };
  if (!wholeMonths) return none;
  const monthsFrom = !from ? '-infinity' : from.endsWith('-01') ? from : nextMonth(from);
  const monthsTo = to ? monthOf(end) : 'infinity';
  if (from && to && monthsFrom >= monthsTo) return none;
  return { first, end, monthsFrom, monthsTo };
}

// The rows as CSV, their keys as the header.
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))]
    .join('\r\n')
    .concat('\r\n');
}
