import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { OutboxService } from '../mail/outbox.service.js';
import { StaffNotifier, type StaffNotice } from '../mail/staff-notifier.js';

const NOTIFIER: ActorContext = { actor: 'system:travel' };

interface OverdueCrossing {
  id: string;
  inquiry_id: string;
  staff_id: string;
  reference: string;
  planned_crossing_at: Date;
  crossing: string;
}

// A family that should have crossed TRAVEL_CROSSING_OVERDUE_HOURS ago and is not recorded as
// crossed: the case's caseworker (or whoever last planned the journey) gets a
// staff.crossing_overdue email, once per planned time, and the case's timeline says so.
@Injectable()
export class CrossingOverdueNotifier extends StaffNotifier<OverdueCrossing> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    config: AppConfig,
    outbox: OutboxService,
    audit: AuditService,
  ) {
    super('overdue crossings', dataSource, config, outbox, audit);
  }

  protected async claim(manager: EntityManager): Promise<OverdueCrossing[]> {
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
    )) as [OverdueCrossing[], number];
    return rows;
  }

  protected notice(p: OverdueCrossing): StaffNotice {
    return {
      mail: {
        eventType: 'staff.crossing_overdue',
        inquiryId: p.inquiry_id,
        recipientKind: 'staff',
        recipientId: p.staff_id,
        // dueAt: the sender writes it as the letter's time (windowStart).
        payload: { reference: p.reference, dueAt: p.planned_crossing_at, crossingName: p.crossing },
      },
      audit: {
        action: 'travel.crossing_overdue',
        actor: NOTIFIER,
        entityType: 'travel_plan',
        entityId: p.id,
        inquiryId: p.inquiry_id,
        after: { plannedCrossingAt: p.planned_crossing_at.toISOString(), notified: p.staff_id },
      },
    };
  }
}
