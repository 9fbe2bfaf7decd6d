import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxMessage, type RecipientKind } from './outbox.entity.js';

export interface OutboxEntry {
  eventType: string;
  inquiryId?: string;
  recipientKind: RecipientKind;
  recipientId?: string;
  payload: Record<string, unknown>;
}

// The only way into the outbox: in the caller's transaction, so a rolled-back change sends nothing.
@Injectable()
export class OutboxService {
  async enqueueInTransaction(manager: EntityManager, entries: OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const repository = manager.getRepository(OutboxMessage);
    await repository.save(
      entries.map((e) =>
        repository.create({
          eventType: e.eventType,
          inquiryId: e.inquiryId ?? null,
          recipientKind: e.recipientKind,
          recipientId: e.recipientId ?? null,
          payload: e.payload,
        }),
      ),
    );
  }
}
