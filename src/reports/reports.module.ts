import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

// Reports on case status (the dashboard and the million-case work follow).
@Module({
  controllers: [ReportsController],
  providers: [ReportsService],
})
export class ReportsModule {}
