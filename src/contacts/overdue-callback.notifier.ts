import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { OutboxService } from '../mail/outbox.service.js';
import { StaffNotifier, type StaffNotice } from '../mail/staff-notifier.js';

const NOTIFIER: ActorContext = { actor: 'system:callbacks' };

interface OverdueCallback {
  id: string;
  inquiry_id: string;
  staff_id: string;
  reference: string;
  due_at: Date;
  window_minutes: number;
}

// A promised call nobody made: once its window has passed, the inquiry's caseworker (or, on an
// unassigned inquiry, whoever promised it) gets a staff.callback_overdue email, once.
@Injectable()
export class OverdueCallbackNotifier extends StaffNotifier<OverdueCallback> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    config: AppConfig,
    outbox: OutboxService,
    audit: AuditService,
  ) {
    super('overdue callbacks', dataSource, config, outbox, audit);
  }

  protected async claim(manager: EntityManager): Promise<OverdueCallback[]> {
    const [rows] = (await manager.query(
      `WITH due AS (
         SELECT c.id, c.inquiry_id, coalesce(i.assigned_to, c.created_by) AS staff_id,
           i.reference, c.due_at, c.window_minutes
         FROM callback c JOIN inquiry i ON i.id = c.inquiry_id
         WHERE c.state = 'open' AND c.overdue_notified_at IS NULL AND c.due_at < now()
           AND coalesce(i.assigned_to, c.created_by) IS NOT NULL
           AND c.due_at + c.window_minutes * interval '1 minute' < now()
         ORDER BY c.due_at
         LIMIT 100
         FOR UPDATE OF c SKIP LOCKED)
       UPDATE callback c SET overdue_notified_at = now() FROM due WHERE c.id = due.id
       RETURNING due.*`,
    )) as [OverdueCallback[], number];
    return rows;
  }

  protected notice(c: OverdueCallback): StaffNotice {
    return {
      mail: {
        eventType: 'staff.callback_overdue',
        inquiryId: c.inquiry_id,
        recipientKind: 'staff',
        recipientId: c.staff_id,
        payload: {
          reference: c.reference,
          callbackId: c.id,
          dueAt: c.due_at.toISOString(),
          windowMinutes: c.window_minutes,
        },
      },
      audit: {
        action: 'callback.overdue',
        actor: NOTIFIER,
        entityType: 'callback',
        entityId: c.id,
        inquiryId: c.inquiry_id,
        after: { notified: c.staff_id },
      },
    };
  }
}
