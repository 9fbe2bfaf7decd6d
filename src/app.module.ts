import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { nestPinoParams } from './common/logging/logger.js';
import { buildDataSourceOptions } from './database/data-source-options.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CaseRecordsModule } from './common/case-records/case-records.registry.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import { InquiriesModule } from './inquiries/inquiries.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { MailDeliveryModule } from './mail/mail-delivery.module.js';
import { IntakeModule } from './intake/intake.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { TravelModule } from './travel/travel.module.js';
import { HandoverModule } from './handover/handover.module.js';
import { StatusModule } from './status/status.module.js';
import { ReportsModule } from './reports/reports.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  // The database actually used: DATABASE_URL, or the embedded server's.
  databaseUrl: string;
  logger: Logger;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, logger }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // The HTTP logger is mounted by configureApp(); Nest's own logs and injected PinoLoggers
        // write through the same root logger.
        LoggerModule.forRoot(nestPinoParams(logger)),
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions(config.database, databaseUrl),
          retryAttempts: 3,
          retryDelay: 1_000,
        }),
        CryptoModule,
        CaseRecordsModule,
        HealthModule,
        MetricsModule,
        AuditModule,
        AuthModule,
        IdempotencyModule,
        InquiriesModule,
        ContactsModule,
        MailDeliveryModule,
        IntakeModule,
        RegistryModule,
        IdentityModule,
        TravelModule,
        HandoverModule,
        StatusModule,
        ReportsModule,
        PrivacyModule,
      ],
    };
  }
}
