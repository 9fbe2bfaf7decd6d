import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { RegistryController } from './registry.controller.js';
import { RegistryService } from './registry.service.js';

// The authority's prisoner registry: import, search, records.
@Module({
  imports: [AuditModule],
  controllers: [RegistryController],
  providers: [RegistryService],
  exports: [RegistryService],
})
export class RegistryModule {}
