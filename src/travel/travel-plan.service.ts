import { Injectable } from '@nestjs/common';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';
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
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';
import { BorderCrossing } from './border-crossing.entity.js';
import type { PatchTravelPlanDto, SaveTravelPlanDto, TravellerDto } from './dto/travel.dto.js';
import { TravelPlan } from './travel-plan.entity.js';
import { Traveller } from './traveller.entity.js';

// What the API shows of a plan: document numbers by their last four characters only.
export type TravelPlanView = Omit<TravelPlan, 'travellers' | 'inquiry' | 'crossingPoint'> & {
  travellers: Omit<Traveller, 'documentNumberSealed' | 'travelPlan'>[];
  // The planned crossing passed by TRAVEL_CROSSING_OVERDUE_HOURS without "crossed into Ukraine".
  crossingOverdue: boolean;
};

// The plan's own fields (its travellers apart), as the API and the table name them.
const PLAN_FIELDS = [
  'originCity',
  'originCountry',
  'plannedEntryIntoPoland',
  'crossingPointId',
  'plannedCrossingAt',
  'escortName',
  'escortPhone',
  'notes',
] as const satisfies readonly (keyof SaveTravelPlanDto & keyof TravelPlan)[];
type PlanFields = Pick<TravelPlan, (typeof PLAN_FIELDS)[number]>;

// What an edit stores: the plan's fields whole, and the travellers when they are replaced.
interface PlanEdit {
  fields: PlanFields;
  travellers?: TravellerDto[];
}

const PLANNING_STATES = ['travel_planning', 'in_transit'];

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

// A case's travel plan: read (audited), saved whole (PUT) or in part (PATCH), both through one
// path with the same checks, versions, audit and letters.
@Injectable()
export class TravelPlanService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
    private readonly guards: InquiryGuardRegistry,
  ) {}

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

  // The plan whole: created with version 0, then replaced with the version last seen; a field
  // left out is cleared.
  savePlan(inquiryId: string, dto: SaveTravelPlanDto, actor: ActorContext) {
    return this.store({ inquiryId, version: dto.version, actor }, () => ({
      fields: Object.fromEntries(PLAN_FIELDS.map((f) => [f, dto[f] ?? null])) as PlanFields,
      travellers: dto.travellers,
    }));
  }

  // Part of an existing plan: a field sent changes (null clears it), one left out keeps its
  // value; travellers, when sent, replace the list.
  patchPlan(inquiryId: string, dto: PatchTravelPlanDto, actor: ActorContext) {
    return this.store({ inquiryId, version: dto.version, actor }, (existing) => {
      if (!existing) throw new DomainException('not_found', 'The case has no travel plan yet');
      const fields = PLAN_FIELDS.map((f) => [f, dto[f] === undefined ? existing[f] : dto[f]]);
      return { fields: Object.fromEntries(fields) as PlanFields, travellers: dto.travellers };
    });
  }

  // Only while the journey is being planned or under way, for a verified inquirer, at the
  // version last seen; the plan as it would be is checked (an open crossing, nothing in the
  // past). A change during the journey sends the family the instructions again.
  private async store(
    target: { inquiryId: string; version: number; actor: ActorContext },
    edit: (existing: TravelPlan | null) => PlanEdit,
  ): Promise<TravelPlanView> {
    const { inquiryId, version, actor } = target;
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await this.lockPlanningCase(manager, inquiryId, actor);
      const repository = manager.getRepository(TravelPlan);
      const existing = await repository.findOne({ where: { inquiryId } });
      const { fields, travellers } = edit(existing);
      if ((existing?.version ?? 0) !== version) {
        throw new DomainException('stale_version', 'Changed by someone else', {
          detail: `The travel plan is at version ${existing?.version ?? 0}, not ${version}; reload it.`,
          extensions: { currentVersion: existing?.version ?? 0 },
        });
      }
      // Nothing would change: no new version, no audit, no letter.
      if (existing && !travellers && PLAN_FIELDS.every((f) => same(existing[f], fields[f]))) {
        existing.travellers = await this.travellersOf(manager, existing.id);
        return this.viewOf(existing, await this.crossed(manager, inquiryId));
      }
      await this.check(manager, fields, travellers);
      const replanned = !same(existing?.plannedCrossingAt ?? null, fields.plannedCrossingAt);
      const saved = existing
        ? await repository.save(
            Object.assign(existing, fields, {
              updatedBy: actor.actor,
              // Bumps the version even when only the travellers change.
              updatedAt: new Date(),
              ...(replanned ? { overdueNotifiedAt: null } : {}),
            }),
          )
        : await repository.save(
            repository.create({ inquiryId, ...fields, updatedBy: actor.actor }),
          );
      saved.travellers = travellers
        ? await this.replaceTravellers(manager, saved.id, travellers)
        : await this.travellersOf(manager, saved.id);
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
          travellers: saved.travellers.length,
        },
      });
      if (inquiry.status === 'in_transit' && existing) {
        await this.instructAgain(manager, inquiry, actor);
      }
      return this.viewOf(saved, await this.crossed(manager, inquiryId));
    });
  }

  // The case locked, in a stage where the journey is planned, with its inquirer verified.
  private async lockPlanningCase(manager: EntityManager, inquiryId: string, actor: ActorContext) {
    const inquiry = await lockForChange(manager, inquiryId);
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
    return inquiry;
  }

  private async replaceTravellers(
    manager: EntityManager,
    travelPlanId: string,
    travellers: TravellerDto[],
  ): Promise<Traveller[]> {
    const repository = manager.getRepository(Traveller);
    await repository.delete({ travelPlanId });
    return repository.save(
      travellers.map((t, position) =>
        repository.create({
          travelPlanId,
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
  }

  private travellersOf(manager: EntityManager, travelPlanId: string): Promise<Traveller[]> {
    return manager
      .getRepository(Traveller)
      .find({ where: { travelPlanId }, order: { position: 'ASC' } });
  }

  // The travellers are checked when they are replaced; kept ones were checked when saved.
  private async check(
    manager: EntityManager,
    plan: PlanFields,
    travellers: TravellerDto[] | undefined,
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (plan.crossingPointId) {
      const crossing = await manager
        .getRepository(BorderCrossing)
        .findOneBy({ id: plan.crossingPointId });
      if (!crossing) {
        errors.push({ field: 'crossingPointId', message: 'is not a known crossing point' });
      } else if (!crossing.open) {
        errors.push({ field: 'crossingPointId', message: `${crossing.nameEn} is closed` });
      }
    }
    const today = new Date().toISOString().slice(0, 10);
    if (plan.plannedCrossingAt && plan.plannedCrossingAt.getTime() < Date.now()) {
      errors.push({ field: 'plannedCrossingAt', message: 'must not be in the past' });
    }
    if (plan.plannedEntryIntoPoland && plan.plannedEntryIntoPoland < today) {
      errors.push({ field: 'plannedEntryIntoPoland', message: 'must not be in the past' });
    }
    if (
      plan.plannedEntryIntoPoland &&
      plan.plannedCrossingAt &&
      plan.plannedEntryIntoPoland > plan.plannedCrossingAt.toISOString().slice(0, 10)
    ) {
      errors.push({
        field: 'plannedEntryIntoPoland',
        message: 'must be on or before the planned crossing',
      });
    }
    if (travellers && travellers.filter((t) => t.isInquirer).length !== 1) {
      errors.push({ field: 'travellers', message: 'must name the inquirer, once' });
    }
    travellers?.forEach((t, i) => {
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
