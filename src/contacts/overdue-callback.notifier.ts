import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { OutboxService } from '../mail/outbox.service.js';
import { PeriodicTask } from '../common/scheduling/periodic-task.js';

const NOTIFIER: ActorContext = { actor: 'system:callbacks' };
const EVERY_MS = 60_000;

// A promised call nobody made: once its window has passed, the inquiry's caseworker (or, on an
// unassigned inquiry, whoever promised it) gets a staff.callback_overdue email, once. Runs where
// the mail sender runs; rows are taken with SKIP LOCKED, so replicas never notify twice.
@Injectable()
export class OverdueCallbackNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OverdueCallbacks');
  private readonly task = new PeriodicTask(
    async () => void (await this.notifyOnce()),
    (error) => this.logger.warn(`overdue callbacks: ${(error as Error).message}`),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.mail.worker.enabled) this.task.start(EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  // One pass; returns how many callbacks it reported. Public for tests.
  async notifyOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = (await manager.query(
        `WITH due AS (
           SELECT c.id, c.inquiry_id, coalesce(i.assigned_to, c.created_by) AS staff_id,
             i.reference, c.due_at, c.window_minutes
           FROM callback c JOIN inquiry i ON i.id = c.inquiry_id
           WHERE c.state = 'open' AND c.overdue_notified_at IS NULL AND c.due_at < now()
             AND c.due_at + c.window_minutes * interval '1 minute' < now()
           ORDER BY c.due_at
           LIMIT 100
           FOR UPDATE OF c SKIP LOCKED)
         UPDATE callback c SET overdue_notified_at = now() FROM due WHERE c.id = due.id
         RETURNING due.*`,
      )) as [
        {
          id: string;
          inquiry_id: string;
          staff_id: string;
          reference: string;
          due_at: Date;
          window_minutes: number;
        }[],
        number,
      ];
      const rows = due[0];
      await this.outbox.enqueueInTransaction(
        manager,
        rows.map((c) => ({
          eventType: 'staff.callback_overdue',
          inquiryId: c.inquiry_id,
          recipientKind: 'staff' as const,
          recipientId: c.staff_id,
          payload: {
            reference: c.reference,
            callbackId: c.id,
            dueAt: c.due_at.toISOString(),
            windowMinutes: c.window_minutes,
          },
        })),
      );
      for (const c of rows) {
        await this.audit.appendInTransaction(manager, {
          action: 'callback.overdue',
          actor: NOTIFIER,
          entityType: 'callback',
          entityId: c.id,
          inquiryId: c.inquiry_id,
          after: { notified: c.staff_id },
        });
      }
      return rows.length;
    });
  }
}
