import { Injectable } from '@nestjs/common';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { BorderCrossing } from './border-crossing.entity.js';
import type { RecordTravelEventDto, UpdateCrossingDto } from './dto/travel.dto.js';
import { manifestCsv, manifestHtml, type ManifestRow } from './manifest.js';
import { TRAVEL_STEPS, TravelEvent } from './travel-event.entity.js';

export interface OverdueCrossing {
  inquiryId: string;
  reference: string;
  assignedTo: string | null;
  crossingPointId: string;
  plannedCrossingAt: Date;
  hoursOverdue: number;
}

const JOURNEY_STATES = ['in_transit', 'handover_scheduled'];
// Clocks of the caller's computer and ours may differ a little.
const CLOCK_SKEW_MS = 5 * 60_000;

// The family's journey: the reference list of crossing points, the journey's steps in order,
// who is expected at a crossing, and crossings overdue. The plan is TravelPlanService's.
@Injectable()
export class TravelService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  crossings(): Promise<BorderCrossing[]> {
    return this.dataSource.getRepository(BorderCrossing).find({ order: { nameEn: 'ASC' } });
  }

  async updateCrossing(id: string, dto: UpdateCrossingDto, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(BorderCrossing);
      const crossing = await repository.findOne({
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!crossing) throw new DomainException('not_found', 'No such crossing point');
      if (crossing.version !== dto.version) {
        throw new DomainException('stale_version', 'Changed by someone else', {
          detail: `The crossing point was changed since version ${dto.version}; reload it.`,
          extensions: { currentVersion: crossing.version },
        });
      }
      const before = { open: crossing.open, traffic: crossing.traffic, address: crossing.address };
      if (dto.open !== undefined) crossing.open = dto.open;
      if (dto.traffic !== undefined) crossing.traffic = dto.traffic;
      if (dto.address !== undefined) crossing.address = dto.address;
      const saved = await repository.save(crossing);
      await this.audit.appendInTransaction(manager, {
        action: 'crossing.update',
        actor,
        entityType: 'border_crossing',
        entityId: id,
        before,
        after: { open: saved.open, traffic: saved.traffic, address: saved.address },
      });
      return saved;
    });
  }

  events(inquiryId: string): Promise<TravelEvent[]> {
    return this.dataSource
      .getRepository(TravelEvent)
      .find({ where: { inquiryId }, order: { occurredAt: 'ASC' } });
  }

  // A step of the journey, in order: every earlier step recorded, none after it, not earlier in
  // time than the step before; refused with the reason otherwise.
  async recordEvent(
    inquiryId: string,
    dto: RecordTravelEventDto,
    actor: ActorContext,
  ): Promise<TravelEvent> {
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await lockForChange(manager, inquiryId);
      if (!JOURNEY_STATES.includes(inquiry.status)) {
        throw new DomainException('conflict', 'The family is not travelling', {
          detail: `The case is ${inquiry.status}; journey steps are recorded in in_transit.`,
        });
      }
      if (dto.occurredAt.getTime() > Date.now() + CLOCK_SKEW_MS) {
        throw new ValidationFailedException([
          { field: 'occurredAt', message: 'must not be in the future' },
        ]);
      }
      const recorded = await manager
        .getRepository(TravelEvent)
        .find({ where: { inquiryId }, order: { occurredAt: 'ASC' } });
      const index = TRAVEL_STEPS.indexOf(dto.step);
      if (recorded.some((e) => e.step === dto.step)) {
        throw new DomainException('conflict', `${dto.step} is recorded already`);
      }
      const missing = TRAVEL_STEPS.slice(0, index).filter(
        (step) => !recorded.some((e) => e.step === step),
      );
      const later = recorded.filter((e) => TRAVEL_STEPS.indexOf(e.step) > index);
      if (missing.length > 0 || later.length > 0) {
        throw new DomainException('conflict', 'Out of order', {
          detail:
            missing.length > 0
              ? `${dto.step} comes after ${missing.join(', ')}, not recorded yet.`
              : `${later.map((e) => e.step).join(', ')} is recorded already, and comes after ${dto.step}.`,
        });
      }
      const previous = recorded.at(-1);
      if (previous && dto.occurredAt < previous.occurredAt) {
        throw new ValidationFailedException([
          {
            field: 'occurredAt',
            message: `must not be before ${previous.step} (${previous.occurredAt.toISOString()})`,
          },
        ]);
      }
      const repository = manager.getRepository(TravelEvent);
      const saved = await repository.save(
        repository.create({
          inquiryId,
          step: dto.step,
          occurredAt: dto.occurredAt,
          notes: dto.notes ?? null,
          recordedBy: actor.actor,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'travel.step',
        actor,
        entityType: 'travel_event',
        entityId: saved.id,
        inquiryId,
        after: { step: saved.step, occurredAt: saved.occurredAt.toISOString() },
      });
      return saved;
    });
  }

  // Who is expected at a crossing point on a day (in our time zone): every traveller of the
  // plans crossing there that day, for cases planning or travelling. Looking is audited.
  async manifest(
    crossingPointId: string,
    date: string,
    format: 'csv' | 'html',
    actor: ActorContext,
  ) {
    const crossing = await this.dataSource
      .getRepository(BorderCrossing)
      .findOneBy({ id: crossingPointId });
    if (!crossing)
      throw new ValidationFailedException([
        { field: 'crossingPointId', message: 'is not a known crossing point' },
      ]);
    const zone = this.config.mail.timeZone;
    const rows = (await this.dataSource.query(
      `SELECT i.reference, t.full_name AS "fullName", t.is_inquirer AS "isInquirer", t.relationship,
         t.document_kind AS "documentKind", t.document_last4 AS "documentLast4",
         p.planned_crossing_at AS "plannedCrossingAt", p.escort_name AS "escortName",
         p.escort_phone AS "escortPhone"
       FROM travel_plan p
       JOIN inquiry i ON i.id = p.inquiry_id AND i.status IN ('travel_planning', 'in_transit')
       JOIN traveller t ON t.travel_plan_id = p.id
       WHERE p.crossing_point_id = $1
         AND p.planned_crossing_at >= ($2::date)::timestamp AT TIME ZONE $3
         AND p.planned_crossing_at < ($2::date + 1)::timestamp AT TIME ZONE $3
       ORDER BY p.planned_crossing_at, i.reference, t.position`,
      [crossingPointId, date, zone],
    )) as ManifestRow[];
    await this.audit.recordRead({
      action: format === 'csv' ? 'travel.manifest_downloaded' : 'travel.manifest_viewed',
      actor,
      entityType: 'border_crossing',
      entityId: crossingPointId,
      after: {
        date,
        travellers: rows.length,
        references: [...new Set(rows.map((r) => r.reference))],
      },
    });
    const time = (d: Date) =>
      new Intl.DateTimeFormat('uk', {
        dateStyle: 'short',
        timeStyle: 'short',
        timeZone: zone,
      }).format(d);
    return format === 'csv' ? manifestCsv(rows, time) : manifestHtml(crossing, date, rows, time);
  }

  // Journeys whose planned crossing passed TRAVEL_CROSSING_OVERDUE_HOURS ago without "crossed
  // into Ukraine": the caseworker must find out why.
  async overdue(): Promise<OverdueCrossing[]> {
    return (await this.dataSource.query(
      `SELECT i.id AS "inquiryId", i.reference, i.assigned_to AS "assignedTo",
         p.crossing_point_id AS "crossingPointId", p.planned_crossing_at AS "plannedCrossingAt",
         floor(extract(epoch FROM now() - p.planned_crossing_at) / 3600)::int AS "hoursOverdue"
       FROM travel_plan p JOIN inquiry i ON i.id = p.inquiry_id
       WHERE i.status = 'in_transit'
         AND p.planned_crossing_at < now() - $1 * interval '1 hour'
         AND NOT EXISTS (SELECT FROM travel_event e WHERE e.inquiry_id = i.id
                         AND e.step = 'crossed_into_ukraine')
       ORDER BY p.planned_crossing_at`,
      [this.config.travel.crossingOverdueHours],
    )) as OverdueCrossing[];
  }
}
