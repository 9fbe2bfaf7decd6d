import { Injectable } from '@nestjs/common';
import { casesOfPerson } from './case-lookup.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { findStaff } from '../auth/staff-lookup.js';
import type { Role } from '../common/decorators/access-policy.decorator.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { OutboxService } from '../mail/outbox.service.js';
import { Inquirer } from '../people/inquirer.entity.js';
import { SoughtPerson } from '../people/sought-person.entity.js';
import { checkBirthDate } from './birth-date.util.js';
import type { UpdateInquiryDto } from './dto/update-inquiry.dto.js';
import { lockAtVersion } from './inquiry-lock.util.js';
import { Inquiry } from './inquiry.entity.js';

function changed<T extends object>(current: T, patch: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(
      ([k, v]) =>
        v !== undefined &&
        JSON.stringify(v) !== JSON.stringify((current as Record<string, unknown>)[k]),
    ),
  ) as Partial<T>;
}

function pick<T extends object>(source: T, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (source as Record<string, unknown>)[k]]));
}

@Injectable()
export class InquiryEditingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly gate: DisclosureGate,
  ) {}

  // Changes only what was sent; the inquiry's version covers the whole case (inquirer and sought
  // person included), so two people editing different parts still learn of each other.
  async update(
    id: string,
    dto: UpdateInquiryDto,
    version: number,
    actor: ActorContext,
  ): Promise<Inquiry> {
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await lockAtVersion(manager, id, version);
      const inquirer = await manager
        .getRepository(Inquirer)
        .findOneByOrFail({ id: inquiry.inquirerId });
      const person = await manager.getRepository(SoughtPerson).findOneByOrFail({ inquiryId: id });
      // The relationship is this inquiry's (the person's to this man); the rest is the person's
      // record, shared by all their inquiries.
      const { relationship, ...personPatch } = dto.inquirer ?? {};
      const inquirerChanges = changed(inquirer, personPatch as Partial<Inquirer>);
      const personChanges = changed(person, (dto.soughtPerson ?? {}) as Partial<SoughtPerson>);
      const priorityChanged = dto.priority !== undefined && dto.priority !== inquiry.priority;
      const relationshipChanged =
        relationship !== undefined &&
        relationship !== null &&
        relationship !== inquiry.relationship;
      if (
        Object.keys(inquirerChanges).length === 0 &&
        Object.keys(personChanges).length === 0 &&
        !priorityChanged &&
        !relationshipChanged
      ) {
        return inquiry;
      }
      const before = {
        priority: inquiry.priority,
        inquirer: {
          ...pick(inquirer, Object.keys(inquirerChanges)),
          ...(relationshipChanged ? { relationship: inquiry.relationship } : {}),
        },
        soughtPerson: pick(person, Object.keys(personChanges)),
      };
      if (Object.keys(inquirerChanges).length)
        await manager.getRepository(Inquirer).save({ ...inquirer, ...inquirerChanges });
      if (Object.keys(personChanges).length) {
        const merged = { ...person, ...personChanges };
        checkBirthDate({
          surname: merged.surname,
          birthYear: merged.birthYear ?? undefined,
          birthMonth: merged.birthMonth ?? undefined,
          birthDay: merged.birthDay ?? undefined,
        });
        await manager.getRepository(SoughtPerson).save(merged);
      }
      if (priorityChanged) inquiry.priority = dto.priority!;
      if (relationshipChanged) inquiry.relationship = relationship;
      inquiry.updatedAt = new Date(); // bumps the version even when only the people changed
      const saved = await manager.getRepository(Inquiry).save(inquiry);
      await this.audit.appendInTransaction(manager, {
        action: 'inquiry.update',
        actor,
        entityType: 'inquiry',
        entityId: id,
        inquiryId: id,
        before,
        after: {
          priority: saved.priority,
          inquirer: { ...inquirerChanges, ...(relationshipChanged ? { relationship } : {}) },
          soughtPerson: personChanges,
        },
      });
      // A verified family's new address or number waits for a supervisor's approval, on every
      // case of the person (their record is one).
      if ('emails' in inquirerChanges || 'phones' in inquirerChanges) {
        const cases = await casesOfPerson(manager, inquiry.inquirerId);
        // In id order, as every change that locks several cases takes them.
        for (const c of cases.sort((x, y) => x.id.localeCompare(y.id))) {
          await this.gate.contactsChanged(manager, c.id, actor);
        }
      }
      return saved;
    });
  }

  // Supervisors assign anyone (or nobody); a caseworker may take an unassigned inquiry for
  // themselves.
  async assign(input: {
    id: string;
    assigneeId: string | null;
    version: number;
    actor: ActorContext;
    roles: readonly Role[];
  }): Promise<Inquiry> {
    const { id, assigneeId, version, actor, roles } = input;
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await lockAtVersion(manager, id, version);
      const supervisor = roles.includes('supervisor');
      const takingFreeCase = assigneeId === actor.actor && inquiry.assignedTo === null;
      if (!supervisor && !takingFreeCase) {
        throw new DomainException('forbidden', 'Only a supervisor assigns', {
          detail: 'A caseworker may only take an unassigned inquiry for themselves.',
        });
      }
      if (assigneeId) {
        const assignee = await findStaff(manager, assigneeId);
        if (
          !assignee?.active ||
          !assignee.roles.some((r) => r === 'caseworker' || r === 'supervisor')
        ) {
          throw new ValidationFailedException([
            {
              field: 'assigneeId',
              rule: 'caseworker',
              message: 'assigneeId must be an active caseworker or supervisor',
            },
          ]);
        }
      }
      if (inquiry.assignedTo === assigneeId) return inquiry;
      const before = { assignedTo: inquiry.assignedTo };
      inquiry.assignedTo = assigneeId;
      const saved = await manager.getRepository(Inquiry).save(inquiry);
      if (assigneeId && assigneeId !== actor.actor) {
        await this.outbox.enqueueInTransaction(manager, [
          {
            eventType: 'staff.inquiry_assigned',
            inquiryId: id,
            recipientKind: 'staff',
            recipientId: assigneeId,
            payload: { reference: inquiry.reference },
          },
        ]);
      }
      await this.audit.appendInTransaction(manager, {
        action: assigneeId ? 'inquiry.assign' : 'inquiry.unassign',
        actor,
        entityType: 'inquiry',
        entityId: id,
        inquiryId: id,
        before,
        after: { assignedTo: assigneeId },
      });
      return saved;
    });
  }
}
