import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IntakeModule } from '../intake/intake.module.js';
import { MailDeliveryModule } from '../mail/mail-delivery.module.js';
import { HealthController } from './health.controller.js';
import { ReadinessService } from './readiness.service.js';

@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
    IntakeModule,
    MailDeliveryModule,
  ],
  controllers: [HealthController],
  providers: [ReadinessService],
})
export class HealthModule {}
