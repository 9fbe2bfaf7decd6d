import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import type { AuditAction } from '../audit/audit-actions.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import type {
  CompleteHandoverDto,
  RescheduleHandoverDto,
  ScheduleHandoverDto,
} from './dto/handover.dto.js';
import { HandoverAppointment, type AppointmentState } from './handover-appointment.entity.js';
import { HandoverLocationsService } from './handover-locations.service.js';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';

const SCHEDULING_STATES = ['in_transit', 'handover_scheduled'];
// Clocks of the caller's computer and ours may differ a little.
const CLOCK_SKEW_MS = 5 * 60_000;

const invalid = (field: string, message: string) =>
  new ValidationFailedException([{ field, message }]);

function checkTime(scheduledAt: Date): void {
  if (scheduledAt.getTime() < Date.now()) throw invalid('scheduledAt', 'must not be in the past');
}

// The handover in Kyiv: the appointment (rescheduled, postponed or failed), and the completion
// recorded by one official and confirmed by a second.
@Injectable()
export class HandoverService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
    private readonly places: HandoverLocationsService,
  ) {}

  // Reading them is recorded on the reader's own stream.
  appointments(inquiryId: string, actor: ActorContext): Promise<HandoverAppointment[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(HandoverAppointment)
        .find({ where: { inquiryId }, order: { createdAt: 'DESC' } });
      await this.audit.recordReadInTransaction(manager, {
        action: 'handover.read',
        actor,
        inquiryId,
        after: { count: rows.length },
      });
      return rows;
    });
  }

  // An appointment while the family travels, or a new one after a postponement (the family is
  // told again). At an active place, in the future, with the officials who will be there.
  async schedule(inquiryId: string, dto: ScheduleHandoverDto, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await lockForChange(manager, inquiryId);
      if (!SCHEDULING_STATES.includes(inquiry.status)) {
        throw new DomainException('conflict', 'A handover cannot be scheduled at this stage', {
          detail: `The case is ${inquiry.status}; handovers are scheduled from in_transit.`,
        });
      }
      await this.places.checkInUse(manager, dto.locationId);
      checkTime(dto.scheduledAt);
      const open = await manager.getRepository(HandoverAppointment).findOne({
        where: [
          { inquiryId, state: 'scheduled' },
          { inquiryId, state: 'awaiting_confirmation' },
          { inquiryId, state: 'completed' },
        ],
      });
      if (open) {
        throw new DomainException('conflict', `The case has a ${open.state} handover`, {
          detail: 'Postpone it or record that it failed before making another appointment.',
        });
      }
      const repository = manager.getRepository(HandoverAppointment);
      const saved = await repository.save(
        repository.create({
          inquiryId,
          locationId: dto.locationId,
          scheduledAt: dto.scheduledAt,
          officials: dto.officials,
          state: 'scheduled',
          createdBy: actor.actor,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'handover.scheduled',
        actor,
        entityType: 'handover_appointment',
        entityId: saved.id,
        inquiryId,
        after: { locationId: saved.locationId, scheduledAt: saved.scheduledAt.toISOString() },
      });
      // A new appointment for a case already scheduled (after a postponement): tell the family.
      if (inquiry.status === 'handover_scheduled') await this.tellFamily(manager, inquiry, actor);
      return saved;
    });
  }

  // A scheduled appointment moved, or its officials changed, with the version last seen: a new
  // place or time is checked as when making one. Once the case is handover_scheduled, a new place
  // or time is the family's to know again.
  async reschedule(id: string, dto: RescheduleHandoverDto, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(HandoverAppointment);
      const found = await repository.findOneBy({ id });
      if (!found) throw new DomainException('not_found', 'No such handover appointment');
      // The case first, then the appointment: the order schedule() locks them in.
      const inquiry = await lockForChange(manager, found.inquiryId);
      const appointment = await repository.findOneOrFail({
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (appointment.state !== 'scheduled') {
        throw new DomainException('conflict', `The handover is ${appointment.state}`, {
          detail: 'Only a scheduled handover can be rescheduled.',
        });
      }
      if (appointment.version !== dto.version) {
        throw new DomainException('stale_version', 'Changed by someone else', {
          detail: `The appointment is at version ${appointment.version}, not ${dto.version}; reload it.`,
          extensions: { currentVersion: appointment.version },
        });
      }
      const { before, after } = await this.applyReschedule(manager, appointment, dto);
      // Nothing changes: no new version, no audit, no letter.
      if (Object.keys(after).length === 0) return appointment;
      const saved = await repository.save(appointment);
      await this.audit.appendInTransaction(manager, {
        action: 'handover.rescheduled',
        actor,
        entityType: 'handover_appointment',
        entityId: id,
        inquiryId: saved.inquiryId,
        before,
        after,
      });
      const moved = 'locationId' in after || 'scheduledAt' in after;
      if (moved && inquiry.status === 'handover_scheduled') {
        await this.tellFamily(manager, inquiry, actor);
      }
      return saved;
    });
  }

  overrideArrival(id: string, reason: string, actor: ActorContext) {
    return this.change(id, ['scheduled'], actor, 'handover.arrival_override', (a) => {
      a.arrivalOverrideBy = actor.actor;
      a.arrivalOverrideReason = reason;
      return { reason };
    });
  }

  postpone(id: string, reason: string, actor: ActorContext) {
    return this.change(id, ['scheduled'], actor, 'handover.postponed', (a) => {
      a.state = 'postponed';
      a.reason = reason;
      return { reason };
    });
  }

  fail(id: string, reason: string, actor: ActorContext) {
    return this.change(
      id,
      ['scheduled', 'awaiting_confirmation'],
      actor,
      'handover.failed',
      (a) => {
        a.state = 'failed';
        a.reason = reason;
        return { reason };
      },
    );
  }

  complete(id: string, dto: CompleteHandoverDto, actor: ActorContext) {
    if (dto.handedOverAt.getTime() > Date.now() + CLOCK_SKEW_MS) {
      throw invalid('handedOverAt', 'must not be in the future');
    }
    return this.change(id, ['scheduled'], actor, 'handover.completed', (a) => {
      a.state = 'awaiting_confirmation';
      a.handedOverAt = dto.handedOverAt;
      a.actNumber = dto.actNumber;
      a.completedBy = actor.actor;
      return { handedOverAt: dto.handedOverAt.toISOString(), actNumber: dto.actNumber };
    });
  }

  // The second official's confirmation: a different user from the one who recorded it.
  confirm(id: string, actor: ActorContext) {
    return this.change(id, ['awaiting_confirmation'], actor, 'handover.confirmed', (a) => {
      if (a.completedBy === actor.actor) {
        throw new DomainException(
          'four_eyes_required',
          'A second official must confirm the handover',
          {
            detail: 'You recorded it; a different staff member must confirm it.',
          },
        );
      }
      a.state = 'completed';
      a.confirmedBy = actor.actor;
      a.confirmedAt = new Date();
      return { actNumber: a.actNumber };
    });
  }

  // The act, for printing: the appointment with the case, the people and the officials.
  async act(id: string, actor: ActorContext) {
    const [row] = (await this.dataSource.query(
      `SELECT a.id, a.state, a.scheduled_at, a.handed_over_at, a.act_number, a.officials,
         l.name_uk, l.name_en, l.address, i.reference, i.id AS inquiry_id,
         r.full_name AS inquirer_name,
         hc_full_name(pr.surname, pr.given_names, pr.patronymic) AS prisoner_name,
         pr.personal_number, pr.birth_date::text AS prisoner_birth_date,
         cs.display_name AS completed_by_name, cf.display_name AS confirmed_by_name
       FROM handover_appointment a
       JOIN handover_location l ON l.id = a.location_id
       JOIN inquiry i ON i.id = a.inquiry_id
       JOIN inquirer r ON r.id = i.inquirer_id
       LEFT JOIN inquiry_match m ON m.inquiry_id = i.id AND m.state = 'confirmed'
       LEFT JOIN prisoner pr ON pr.id = m.prisoner_id
       LEFT JOIN staff_user cs ON cs.id = a.completed_by
       LEFT JOIN staff_user cf ON cf.id = a.confirmed_by
       WHERE a.id = $1`,
      [id],
    )) as ActRow[];
    if (!row) throw new DomainException('not_found', 'No such handover appointment');
    await this.audit.recordRead({
      action: 'handover.act_viewed',
      actor,
      entityType: 'handover_appointment',
      entityId: id,
      inquiryId: row.inquiry_id,
      after: { actNumber: row.act_number },
    });
    return row;
  }

  private async change(
    id: string,
    from: AppointmentState[],
    actor: ActorContext,
    action: AuditAction,
    apply: (a: HandoverAppointment) => Record<string, unknown>,
  ): Promise<HandoverAppointment> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(HandoverAppointment);
      const appointment = await repository.findOne({
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!appointment) throw new DomainException('not_found', 'No such handover appointment');
      if (!from.includes(appointment.state)) {
        throw new DomainException('conflict', `The handover is ${appointment.state}`, {
          detail: `This needs it ${from.join(' or ')}.`,
        });
      }
      const before = { state: appointment.state };
      const after = apply(appointment);
      const saved = await repository.save(appointment);
      await this.audit.appendInTransaction(manager, {
        action,
        actor,
        entityType: 'handover_appointment',
        entityId: id,
        inquiryId: appointment.inquiryId,
        before,
        after: { state: saved.state, ...after },
      });
      return saved;
    });
  }

  // The changes the edit makes to the appointment, each new place or time checked; what they were
  // and what they are now, for the audit.
  private async applyReschedule(
    manager: EntityManager,
    appointment: HandoverAppointment,
    dto: RescheduleHandoverDto,
  ) {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (dto.locationId !== undefined && dto.locationId !== appointment.locationId) {
      await this.places.checkInUse(manager, dto.locationId);
      before.locationId = appointment.locationId;
      after.locationId = dto.locationId;
      appointment.locationId = dto.locationId;
    }
    const time = dto.scheduledAt;
    if (time !== undefined && time.getTime() !== appointment.scheduledAt.getTime()) {
      checkTime(time);
      before.scheduledAt = appointment.scheduledAt.toISOString();
      after.scheduledAt = time.toISOString();
      appointment.scheduledAt = time;
    }
    const officials = dto.officials;
    if (
      officials !== undefined &&
      JSON.stringify(officials) !== JSON.stringify(appointment.officials)
    ) {
      before.officials = appointment.officials;
      after.officials = officials;
      appointment.officials = officials;
    }
    return { before, after };
  }

  // A new appointment, or a new time or place for one: the family is told (the gate decides
  // whether they may be).
  private async tellFamily(
    manager: EntityManager,
    inquiry: { id: string },
    actor: ActorContext,
  ): Promise<void> {
    await this.gate.notify(manager, {
      inquiryId: inquiry.id,
      notice: 'family.handover_scheduled',
      fields: { rescheduled: true },
      actor,
    });
  }
}

export interface ActRow {
  id: string;
  state: AppointmentState;
  scheduled_at: Date;
  handed_over_at: Date | null;
  act_number: string | null;
  officials: string[];
  name_uk: string;
  name_en: string;
  address: string;
  reference: string;
  inquiry_id: string;
  inquirer_name: string;
  prisoner_name: string | null;
  personal_number: string | null;
  prisoner_birth_date: string | null;
  completed_by_name: string | null;
  confirmed_by_name: string | null;
}
