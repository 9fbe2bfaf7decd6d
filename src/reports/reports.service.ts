import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
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
  from?: Date;
  to?: Date;
  channel?: string;
  assignee?: string;
  // time-in-state: the stays that ended in this period.
  periodFrom?: Date;
  periodTo?: Date;
}

const SQL: Record<ReportName, string> = {
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

// Figures on where cases stand, for supervisors and the authority's leadership: set-based
// queries over the cases and their status history, filtered the same way.
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async run(name: ReportName, filter: ReportFilter): Promise<Record<string, unknown>[]> {
    const extra =
      name === 'time-in-state'
        ? [filter.periodFrom ?? null, filter.periodTo ?? null]
        : name === 'service-levels'
          ? [this.config.reports.verificationWaitDays]
          : [];
    return (await this.dataSource.query(SQL[name], [
      filter.from ?? null,
      filter.to ?? null,
      filter.channel ?? null,
      filter.assignee ?? null,
      ...extra,
    ])) as Record<string, unknown>[];
  }
}

// The rows as CSV, their keys as the header.
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))]
    .join('\r\n')
    .concat('\r\n');
}
