import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';
import { TallyFolder } from './tally-folder.js';

// Reports on case status, read from tallies the database keeps (migration ReportTallies).
@Module({
  imports: [AuditModule],
  controllers: [ReportsController],
  providers: [ReportsService, TallyFolder],
})
export class ReportsModule {}
