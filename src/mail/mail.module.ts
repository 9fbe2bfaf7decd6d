import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';

// Outbound mail. For now the outbox that other modules write to; templates and the sender follow.
@Module({
  providers: [OutboxService],
  exports: [OutboxService],
})
export class MailModule {}
