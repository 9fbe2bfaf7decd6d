import { Module } from '@nestjs/common';
import { AuditCheckpointScheduler } from './audit-checkpoint.scheduler.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

// The audit trail: other modules inject AuditService and append inside their own transactions.
@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditCheckpointScheduler],
  exports: [AuditService],
})
export class AuditModule {}
