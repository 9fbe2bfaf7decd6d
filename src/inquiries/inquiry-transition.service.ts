import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Role } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { isFamilyNotice } from '../disclosure/family-notices.js';
import { OutboxService } from '../mail/outbox.service.js';
import { afterCommit } from '../metrics/after-commit.js';
import { Metrics } from '../metrics/metrics.service.js';
import { PreparedStatement } from '../database/prepared-statement.js';
import { lockAtVersion, notFound } from './inquiry-lock.util.js';
import { Inquiry } from './inquiry.entity.js';
import { InquiryGuardRegistry } from './state-machine/inquiry-guard.registry.js';
import { transitionsFrom, type ResolvedTransition } from './state-machine/inquiry-state-machine.js';
import type { InquiryState } from './state-machine/inquiry-states.js';

export interface TransitionCommand {
  inquiryId: string;
  to: InquiryState;
  reason?: string;
  // The version the caller saw.
  version: number;
  actor: ActorContext;
  roles: readonly Role[];
}

export interface TransitionOption {
  transition: string;
  to: InquiryState;
  allowed: boolean;
  reasonRequired: boolean;
  // Why it cannot be fired now, in words for the caseworker.
  blockedBy: string[];
}

// The status change, the end of the current history row and the next one: one prepared statement.
const APPLY = new PreparedStatement(
  'homecoming_inquiry_transition_v1',
  `WITH u AS (
     UPDATE inquiry SET status = $2, previous_status = $3, version = version + 1, updated_at = $4
     WHERE id = $1 RETURNING version, updated_at),
   closed AS (
     UPDATE inquiry_status_history SET left_at = $4 WHERE inquiry_id = $1 AND left_at IS NULL),
   opened AS (
     INSERT INTO inquiry_status_history (inquiry_id, status, transition, entered_at, actor, reason)
     VALUES ($1, $2, $5, $4, $6, $7))
   SELECT version, updated_at AS "updatedAt" FROM u`,
);

// Fires one transition of the state machine: status, history row, audit event and outbox rows
// in one transaction, all or nothing. The inquiry row is locked first, so concurrent transitions
// of one inquiry take turns and the version check is exact.
@Injectable()
export class InquiryTransitionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly guards: InquiryGuardRegistry,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly gate: DisclosureGate,
    private readonly metrics: Metrics,
  ) {}

  execute(command: TransitionCommand): Promise<Inquiry> {
    return this.dataSource.transaction((manager) => this.executeInTransaction(manager, command));
  }

  // For use-cases that fire a transition as part of a larger change (merging duplicates).
  async executeInTransaction(manager: EntityManager, command: TransitionCommand): Promise<Inquiry> {
    const inquiry = await lockAtVersion(manager, command.inquiryId, command.version);
    const options = transitionsFrom(inquiry.status, inquiry.previousStatus);
    const chosen = options.find((o) => o.to === command.to);
    const permitted = options.filter((o) => o.rule.roles.some((r) => command.roles.includes(r)));
    if (!chosen) {
      throw new DomainException('illegal_transition', 'Not a possible next status', {
        detail: `An inquiry in ${inquiry.status} cannot move to ${command.to}.`,
        extensions: { status: inquiry.status, allowedTargets: permitted.map((o) => o.to) },
      });
    }
    if (!chosen.rule.roles.some((r) => command.roles.includes(r))) {
      throw new DomainException('forbidden', 'Not your transition', {
        detail: `${chosen.rule.name} needs one of the roles: ${chosen.rule.roles.join(', ')}.`,
      });
    }
    const reason = command.reason?.trim() || undefined;
    if (chosen.rule.reasonRequired && !reason) {
      throw new DomainException('validation_failed', 'A reason is required', {
        errors: [
          {
            field: 'reason',
            rule: 'required',
            message: `reason is required for ${chosen.rule.name}`,
          },
        ],
      });
    }
    const blockedBy = await this.blockingGuards(manager, inquiry.id, chosen, command.actor);
    if (blockedBy.length > 0) {
      throw new DomainException('guard_blocked', 'Not yet possible', {
        detail: blockedBy.join(' '),
        extensions: { transition: chosen.rule.name, blockedBy },
      });
    }
    return this.apply(manager, { inquiry, chosen, reason, actor: command.actor });
  }

  // For the UI's buttons: every transition leaving the current status, and why it is blocked.
  async options(
    inquiryId: string,
    roles: readonly Role[],
    actor: ActorContext,
  ): Promise<TransitionOption[]> {
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await manager.getRepository(Inquiry).findOneBy({ id: inquiryId });
      if (!inquiry) throw notFound(inquiryId);
      const result: TransitionOption[] = [];
      for (const option of transitionsFrom(inquiry.status, inquiry.previousStatus)) {
        const blockedBy = option.rule.roles.some((r) => roles.includes(r))
          ? await this.blockingGuards(manager, inquiry.id, option, actor)
          : [`Needs one of the roles: ${option.rule.roles.join(', ')}.`];
        result.push({
          transition: option.rule.name,
          to: option.to,
          allowed: blockedBy.length === 0,
          reasonRequired: option.rule.reasonRequired,
          blockedBy,
        });
      }
      return result;
    });
  }

  private async blockingGuards(
    manager: EntityManager,
    inquiryId: string,
    option: ResolvedTransition,
    actor: ActorContext,
  ): Promise<string[]> {
    const reasons: string[] = [];
    for (const id of option.rule.guards) {
      const verdict = await this.guards.check(id, { manager, inquiryId, actor });
      if (!verdict.ok) reasons.push(verdict.reason);
    }
    return reasons;
  }

  private async apply(
    manager: EntityManager,
    input: { inquiry: Inquiry; chosen: ResolvedTransition; reason?: string; actor: ActorContext },
  ): Promise<Inquiry> {
    const { inquiry, chosen, reason, actor } = input;
    const from = inquiry.status;
    const now = new Date();
    const [row] = (await APPLY.run(manager, [
      inquiry.id,
      chosen.to,
      chosen.to === 'on_hold' ? from : null,
      now,
      chosen.rule.name,
      actor.actor,
      reason ?? null,
    ])) as { version: number; updatedAt: Date }[];
    const saved = Object.assign(inquiry, {
      status: chosen.to,
      previousStatus: chosen.to === 'on_hold' ? from : null,
      version: row.version,
      updatedAt: row.updatedAt,
    });
    const { notified, held } = await this.notify(manager, saved, chosen, actor, reason);
    await this.audit.appendInTransaction(manager, {
      action: 'inquiry.transition',
      actor,
      entityType: 'inquiry',
      entityId: inquiry.id,
      inquiryId: inquiry.id,
      before: { status: from },
      after: {
        status: chosen.to,
        transition: chosen.rule.name,
        reason: reason ?? null,
        notifications: notified,
        ...(held.length ? { heldNotifications: held } : {}),
      },
    });
    afterCommit(manager, () =>
      this.metrics.transitions.inc({ transition: chosen.rule.name, from, to: chosen.to }),
    );
    return saved;
  }

  // The transition's notices: to the family through the disclosure gate (which holds back what
  // they may not be told yet), to the assigned caseworker straight to the outbox. Every one is a
  // row of the outbox, sent or held.
  private async notify(
    manager: EntityManager,
    inquiry: Inquiry,
    chosen: ResolvedTransition,
    actor: ActorContext,
    reason: string | undefined,
  ): Promise<{ notified: string[]; held: string[] }> {
    const notified: string[] = [];
    const held: string[] = [];
    for (const event of chosen.rule.notifications) {
      if (isFamilyNotice(event)) {
        const decision = await this.gate.notify(manager, {
          inquiryId: inquiry.id,
          notice: event,
          // A transition's reason is written for colleagues; only a request for information is
          // written for the family (what is missing), and only it reaches them.
          fields: {
            transition: chosen.rule.name,
            ...(event === 'family.information_requested' ? { reason: reason ?? null } : {}),
          },
          actor,
        });
        notified.push(event);
        if (decision.outcome !== 'send') held.push(event);
        continue;
      }
      if (!inquiry.assignedTo) continue;
      await this.outbox.enqueueInTransaction(manager, [
        {
          eventType: event,
          inquiryId: inquiry.id,
          recipientKind: 'staff',
          recipientId: inquiry.assignedTo,
          payload: { reference: inquiry.reference, status: inquiry.status },
        },
      ]);
      notified.push(event);
    }
    return { notified, held };
  }
}
