import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import {
  AUDIT_CHECKPOINT_INTERVAL_MS,
  AuditCheckpointScheduler,
} from './audit-checkpoint.scheduler.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

// The audit trail: other modules inject AuditService and append inside their own transactions.
@Module({
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditCheckpointScheduler,
    {
      provide: AUDIT_CHECKPOINT_INTERVAL_MS,
      inject: [AppConfig],
      // An API-only process leaves the checkpoints to the workers.
      useFactory: (config: AppConfig) => (config.role.jobs ? config.audit.checkpointIntervalMs : 0),
    },
  ],
  exports: [AuditService],
})
export class AuditModule {}
