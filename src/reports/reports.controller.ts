import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID } from 'class-validator';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { CHANNELS } from '../inquiries/inquiry.vocabulary.js';
import { streamInquiryCsv } from './inquiry-export.js';
import { REPORTS, ReportsService, toCsv, type ReportName } from './reports.service.js';

export class ReportQuery {
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be a date (ISO 8601)' })
  from?: Date;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be a date (ISO 8601)' })
  to?: Date;

  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;

  @IsOptional()
  @IsUUID()
  assignee?: string;

  // time-in-state: the stays that ended in this period.
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'periodFrom must be a date (ISO 8601)' })
  periodFrom?: Date;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'periodTo must be a date (ISO 8601)' })
  periodTo?: Date;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
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
    await this.audit.append({
      action: 'report.export',
      actor,
      entityType: 'report',
      entityId: 'inquiries',
      after: {
        from: query.from?.toISOString() ?? null,
        to: query.to?.toISOString() ?? null,
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
    const rows = await this.reports.run(name as ReportName, query);
    if (query.format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${name}.csv`);
      return toCsv(rows);
    }
    return { report: name, rows };
  }
}
