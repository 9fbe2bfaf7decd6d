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
import { PeriodicTask } from '../common/scheduling/periodic-task.js';
import { AppConfig } from '../config/app-config.js';
import { OutboxService } from '../mail/outbox.service.js';

const NOTIFIER: ActorContext = { actor: 'system:travel' };
const EVERY_MS = 60_000;

// A family that should have crossed TRAVEL_CROSSING_OVERDUE_HOURS ago and is not recorded as
// crossed: the case's caseworker (or whoever last planned the journey) gets a
// staff.crossing_overdue email, once per planned time, and the case's timeline says so. Runs
// where the mail sender runs; plans are taken with SKIP LOCKED, so replicas never notify twice.
@Injectable()
export class CrossingOverdueNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CrossingOverdue');
  private readonly task = new PeriodicTask(
    async () => void (await this.notifyOnce()),
    (error) => this.logger.warn(`overdue crossings: ${(error as Error).message}`),
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

  // One pass; how many journeys it reported. Public for tests.
  async notifyOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `WITH due AS (
           SELECT p.id, p.inquiry_id, coalesce(i.assigned_to, p.updated_by) AS staff_id,
             i.reference, p.planned_crossing_at, c.name_uk AS crossing
           FROM travel_plan p JOIN inquiry i ON i.id = p.inquiry_id
           JOIN border_crossing c ON c.id = p.crossing_point_id
           WHERE i.status = 'in_transit' AND p.overdue_notified_at IS NULL
             AND p.planned_crossing_at < now() - $1 * interval '1 hour'
             AND NOT EXISTS (SELECT FROM travel_event e WHERE e.inquiry_id = p.inquiry_id
                             AND e.step = 'crossed_into_ukraine')
           ORDER BY p.planned_crossing_at LIMIT 100
           FOR UPDATE OF p SKIP LOCKED)
         UPDATE travel_plan p SET overdue_notified_at = now() FROM due WHERE p.id = due.id
         RETURNING due.*`,
        [this.config.travel.crossingOverdueHours],
      )) as [
        {
          id: string;
          inquiry_id: string;
          staff_id: string;
          reference: string;
          planned_crossing_at: Date;
          crossing: string;
        }[],
        number,
      ];
      await this.outbox.enqueueInTransaction(
        manager,
        rows.map((p) => ({
          eventType: 'staff.crossing_overdue',
          inquiryId: p.inquiry_id,
          recipientKind: 'staff' as const,
          recipientId: p.staff_id,
          // dueAt: the sender writes it as the letter's time (windowStart).
          payload: {
            reference: p.reference,
            dueAt: p.planned_crossing_at,
            crossingName: p.crossing,
          },
        })),
      );
      for (const p of rows) {
        await this.audit.appendInTransaction(manager, {
          action: 'travel.crossing_overdue',
          actor: NOTIFIER,
          entityType: 'travel_plan',
          entityId: p.id,
          inquiryId: p.inquiry_id,
          after: { plannedCrossingAt: p.planned_crossing_at.toISOString(), notified: p.staff_id },
        });
      }
      return rows.length;
    });
  }
}
