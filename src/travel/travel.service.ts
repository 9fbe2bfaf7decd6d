import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import {
  DomainException,
  ValidationFailedException,
  type FieldError,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { lastFour } from '../common/text/last-four.js';
import { AppConfig } from '../config/app-config.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { BorderCrossing } from './border-crossing.entity.js';
import type {
  RecordTravelEventDto,
  SaveTravelPlanDto,
  UpdateCrossingDto,
} from './dto/travel.dto.js';
import { manifestCsv, manifestHtml, type ManifestRow } from './manifest.js';
import { TRAVEL_STEPS, TravelEvent } from './travel-event.entity.js';
import { TravelPlan } from './travel-plan.entity.js';
import { Traveller } from './traveller.entity.js';

// What the API shows of a plan: document numbers by their last four characters only.
export type TravelPlanView = Omit<TravelPlan, 'travellers' | 'inquiry' | 'crossingPoint'> & {
  travellers: Omit<Traveller, 'documentNumberSealed' | 'travelPlan'>[];
  // The planned crossing passed by TRAVEL_CROSSING_OVERDUE_HOURS without "crossed into Ukraine".
  crossingOverdue: boolean;
};

export interface OverdueCrossing {
  inquiryId: string;
  reference: string;
  assignedTo: string | null;
  crossingPointId: string;
  plannedCrossingAt: Date;
  hoursOverdue: number;
}

const PLANNING_STATES = ['travel_planning', 'in_transit'];
const JOURNEY_STATES = ['in_transit', 'handover_scheduled'];
// Clocks of the caller's computer and ours may differ a little.
const CLOCK_SKEW_MS = 5 * 60_000;

// The family's journey: the reference list of crossing points, the travel plan (versioned,
// audited, its document numbers sealed), the journey's steps in order, and crossings overdue.
@Injectable()
export class TravelService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
    private readonly guards: InquiryGuardRegistry,
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

  // Reading it is recorded on the reader's own stream.
  async plan(inquiryId: string, actor: ActorContext): Promise<TravelPlanView | null> {
    return this.dataSource.transaction(async (manager) => {
      const plan = await manager.getRepository(TravelPlan).findOne({
        where: { inquiryId },
        relations: { travellers: true },
        order: { travellers: { position: 'ASC' } },
      });
      await this.audit.recordReadInTransaction(manager, {
        action: 'travel.read',
        actor,
        inquiryId,
        after: { travellers: plan?.travellers?.length ?? 0 },
      });
      return plan ? this.viewOf(plan, await this.crossed(manager, inquiryId)) : null;
    });
  }

  // Created with version 0, then edited with the version last seen. Only while the journey is
  // being planned or under way, for a verified inquirer, across an open crossing, not in the
  // past. A change during the journey sends the family the instructions again.
  async savePlan(
    inquiryId: string,
    dto: SaveTravelPlanDto,
    actor: ActorContext,
  ): Promise<TravelPlanView> {
    return this.dataSource.transaction(async (manager) => {
      const [inquiry] = (await manager.query(
        `SELECT id, status, reference, inquirer_id FROM inquiry WHERE id = $1 FOR UPDATE`,
        [inquiryId],
      )) as { id: string; status: string; reference: string; inquirer_id: string }[];
      if (!inquiry) throw new DomainException('not_found', 'No such inquiry');
      if (!PLANNING_STATES.includes(inquiry.status)) {
        throw new DomainException('conflict', 'The journey cannot be planned at this stage', {
          detail: `The case is ${inquiry.status}; travel is planned in travel_planning or in_transit.`,
        });
      }
      const verified = await this.guards.check('inquirer_verified', { manager, inquiryId, actor });
      if (!verified.ok) {
        throw new DomainException('guard_blocked', 'The inquirer is not verified', {
          detail: verified.reason,
        });
      }
      await this.check(manager, dto);
      const repository = manager.getRepository(TravelPlan);
      const existing = await repository.findOne({ where: { inquiryId } });
      if ((existing?.version ?? 0) !== dto.version) {
        throw new DomainException('stale_version', 'Changed by someone else', {
          detail: `The travel plan is at version ${existing?.version ?? 0}, not ${dto.version}; reload it.`,
          extensions: { currentVersion: existing?.version ?? 0 },
        });
      }
      const fields = {
        inquiryId,
        originCity: dto.originCity ?? null,
        originCountry: dto.originCountry ?? null,
        plannedEntryIntoPoland: dto.plannedEntryIntoPoland ?? null,
        crossingPointId: dto.crossingPointId ?? null,
        plannedCrossingAt: dto.plannedCrossingAt ?? null,
        escortName: dto.escortName ?? null,
        escortPhone: dto.escortPhone ?? null,
        notes: dto.notes ?? null,
        updatedBy: actor.actor,
      };
      const replanned =
        existing?.plannedCrossingAt?.getTime() !== fields.plannedCrossingAt?.getTime();
      const saved = await repository.save(
        existing
          ? Object.assign(existing, fields, replanned ? { overdueNotifiedAt: null } : {})
          : repository.create(fields),
      );
      await manager.delete(Traveller, { travelPlanId: saved.id });
      const travellers = await manager.getRepository(Traveller).save(
        dto.travellers.map((t, position) =>
          manager.getRepository(Traveller).create({
            travelPlanId: saved.id,
            position,
            isInquirer: t.isInquirer,
            fullName: t.fullName,
            relationship: t.isInquirer ? null : (t.relationship ?? null),
            documentKind: t.documentKind,
            documentNumberSealed: this.box.seal(t.documentNumber),
            documentLast4: lastFour(t.documentNumber),
          }),
        ),
      );
      saved.travellers = travellers;
      await this.audit.appendInTransaction(manager, {
        action: 'travel.plan_saved',
        actor,
        entityType: 'travel_plan',
        entityId: saved.id,
        inquiryId,
        after: {
          version: saved.version,
          crossingPointId: saved.crossingPointId,
          plannedCrossingAt: saved.plannedCrossingAt?.toISOString() ?? null,
          travellers: travellers.length,
        },
      });
      if (inquiry.status === 'in_transit' && existing) {
        await this.instructAgain(manager, inquiry, actor);
      }
      return this.viewOf(saved, await this.crossed(manager, inquiryId));
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
      const [inquiry] = (await manager.query(
        `SELECT status FROM inquiry WHERE id = $1 FOR UPDATE`,
        [inquiryId],
      )) as { status: string }[];
      if (!inquiry) throw new DomainException('not_found', 'No such inquiry');
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

  private async check(manager: EntityManager, dto: SaveTravelPlanDto): Promise<void> {
    const errors: FieldError[] = [];
    if (dto.crossingPointId) {
      const crossing = await manager
        .getRepository(BorderCrossing)
        .findOneBy({ id: dto.crossingPointId });
      if (!crossing) {
        errors.push({ field: 'crossingPointId', message: 'is not a known crossing point' });
      } else if (!crossing.open) {
        errors.push({ field: 'crossingPointId', message: `${crossing.nameEn} is closed` });
      }
    }
    const today = new Date().toISOString().slice(0, 10);
    if (dto.plannedCrossingAt && dto.plannedCrossingAt.getTime() < Date.now()) {
      errors.push({ field: 'plannedCrossingAt', message: 'must not be in the past' });
    }
    if (dto.plannedEntryIntoPoland && dto.plannedEntryIntoPoland < today) {
      errors.push({ field: 'plannedEntryIntoPoland', message: 'must not be in the past' });
    }
    if (
      dto.plannedEntryIntoPoland &&
      dto.plannedCrossingAt &&
      dto.plannedEntryIntoPoland > dto.plannedCrossingAt.toISOString().slice(0, 10)
    ) {
      errors.push({
        field: 'plannedEntryIntoPoland',
        message: 'must be on or before the planned crossing',
      });
    }
    const inquirers = dto.travellers.filter((t) => t.isInquirer).length;
    if (inquirers !== 1) {
      errors.push({ field: 'travellers', message: 'must name the inquirer, once' });
    }
    dto.travellers.forEach((t, i) => {
      if (!t.isInquirer && !t.relationship) {
        errors.push({
          field: `travellers.${i}.relationship`,
          message: 'is required for a companion',
        });
      }
    });
    if (errors.length > 0) throw new ValidationFailedException(errors);
  }

  private async crossed(manager: EntityManager, inquiryId: string): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT 1 FROM travel_event WHERE inquiry_id = $1 AND step = 'crossed_into_ukraine'`,
      [inquiryId],
    )) as unknown[];
    return rows.length > 0;
  }

  private viewOf(plan: TravelPlan, crossed: boolean): TravelPlanView {
    const { travellers, inquiry: _inquiry, crossingPoint: _crossing, ...rest } = plan;
    const limit = this.config.travel.crossingOverdueHours * 3_600_000;
    return {
      ...rest,
      travellers: (travellers ?? []).map(
        ({ documentNumberSealed: _sealed, travelPlan: _plan, ...t }) => t,
      ),
      crossingOverdue:
        !crossed &&
        !!plan.plannedCrossingAt &&
        plan.plannedCrossingAt.getTime() + limit < Date.now(),
    };
  }

  // The plan changed while the family travels: the instructions again (the gate decides whether
  // they may go).
  private async instructAgain(
    manager: EntityManager,
    inquiry: { id: string },
    actor: ActorContext,
  ): Promise<void> {
    await this.gate.notify(manager, {
      inquiryId: inquiry.id,
      notice: 'family.travel_instructions',
      fields: { planChanged: true },
      actor,
    });
  }
}
