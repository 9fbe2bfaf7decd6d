import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { CHANNELS } from '../inquiries/inquiry.vocabulary.js';
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
  constructor(private readonly reports: ReportsService) {}

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
