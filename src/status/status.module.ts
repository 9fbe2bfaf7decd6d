import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import {
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DisclosureModule } from '../disclosure/disclosure.module.js';
import { StatusLinksService } from './status-links.service.js';
import { StatusRateLimitMiddleware } from './status-rate-limit.middleware.js';
import { StatusLinksController, StatusPageController } from './status.controller.js';

// The families' status page and its links.
@Module({
  imports: [AuditModule, DisclosureModule],
  controllers: [StatusPageController, StatusLinksController],
  providers: [StatusLinksService],
  exports: [StatusLinksService],
})
export class StatusModule implements NestModule, OnModuleInit {
  constructor(private readonly caseRecords: CaseRecordsRegistry) {}

  onModuleInit(): void {
    this.caseRecords.register(['status_link']);
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StatusRateLimitMiddleware).forRoutes(StatusPageController);
  }
}
