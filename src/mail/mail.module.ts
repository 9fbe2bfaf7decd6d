import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';

// The outbox other modules write to, in their own transactions. Sending: MailDeliveryModule.
@Module({
  providers: [OutboxService],
  exports: [OutboxService],
})
export class MailModule {}
