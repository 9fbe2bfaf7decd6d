import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import { CHANNELS } from '../inquiries/inquiry.vocabulary.js';
import { streamInquiryCsv } from './inquiry-export.js';
import { REPORTS, ReportsService, toCsv, type ReportName } from './reports.service.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

// Days, not instants: a report counts whole UTC days, `from` and `to` both included.
export class ReportQuery {
  @IsOptional()
  @Matches(DAY, { message: 'from must be a day, YYYY-MM-DD (UTC)' })
  @IsISO8601({ strict: true }, { message: 'from must be a day of the calendar' })
  from?: string;

  @IsOptional()
  @Matches(DAY, { message: 'to must be a day, YYYY-MM-DD (UTC)' })
  @IsISO8601({ strict: true }, { message: 'to must be a day of the calendar' })
  to?: string;

  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;

  @IsOptional()
  @IsUUID()
  assignee?: string;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

function checkDays(query: ReportQuery): void {
  if (query.from && query.to && query.from > query.to) {
    throw new ValidationFailedException([
      { field: 'to', message: `to (${query.to}) must not come before from (${query.from})` },
    ]);
  }
}

// GET /api/reports/:name — JSON rows, or CSV with format=csv.
@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  private readonly pool: Pool;

  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AuditService,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  // Every inquiry (case-status fields only) as CSV, streamed; who exported what is audited.
  @Get('export/inquiries')
  @Roles('supervisor', 'auditor', 'admin')
  async exportInquiries(
    @Query() query: ReportQuery,
    @Actor() actor: ActorContext,
    @Res() res: Response,
  ): Promise<void> {
    checkDays(query);
    await this.audit.recordRead({
      action: 'report.export',
      actor,
      entityType: 'report',
      entityId: 'inquiries',
      after: {
        from: query.from ?? null,
        to: query.to ?? null,
        channel: query.channel ?? null,
        assignee: query.assignee ?? null,
      },
    });
    res.status(200).type('text/csv; charset=utf-8').attachment('inquiries.csv');
    res.setHeader('Cache-Control', 'no-store');
    await streamInquiryCsv(this.pool, query, res);
  }

  @Get(':name')
  @Header('Cache-Control', 'no-store')
  @Roles('supervisor', 'auditor', 'admin')
  async report(
    @Param('name') name: string,
    @Query() query: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    if (!REPORTS.includes(name as ReportName)) {
      throw new DomainException('not_found', 'No such report', {
        detail: `Reports: ${REPORTS.join(', ')}.`,
      });
    }
    checkDays(query);
    const rows = await this.reports.run(name as ReportName, query);
    if (query.format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${name}.csv`);
      return toCsv(rows);
    }
    return { report: name, rows };
  }
}
