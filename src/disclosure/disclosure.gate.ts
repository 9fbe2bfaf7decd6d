import { Injectable } from '@nestjs/common';
import type { FamilyChannel } from '../people/people.vocabulary.js';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { OutboxService } from '../mail/outbox.service.js';
import { ContactTrustService } from './contact-trust.service.js';
import {
  allowedFields,
  decide,
  HOLD_EXPLAINED,
  shows,
  type DropReason,
  type HoldReason,
  type NoticeDecision,
  type NoticeFields,
} from './disclosure.policy.js';
import { FamilyFactsRegistry } from './family-facts.registry.js';
import { isFamilyNotice, type FamilyNotice } from './family-notices.js';
import {
  familyViewOf,
  NO_IDENTITY_FACTS,
  type FamilyView,
  type TrustFacts,
} from './family-view.js';

// Which details a view carries besides the stage: those a letter of this notice or the status
// page shows, or everything the family may have in a copy of their data.
export type ViewDetails = 'none' | FamilyNotice | 'page' | 'export';

export interface FamilyNoticeCommand {
  inquiryId: string;
  notice: FamilyNotice;
  fields?: NoticeFields;
  // Whose action caused it: named on the case when the notice is held.
  actor: ActorContext;
}

// A queued family notice, reviewed as it is about to leave.
export interface QueuedNotice {
  id: string;
  inquiryId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

// What became of a queued notice: its outbox row, and the gate's decision.
export type QueuedDecision = NoticeDecision & { id: string };

// `reason`: a stable code (HOLD_EXPLAINED says it in words).
export type Review =
  | {
      outcome: 'send';
      channel: FamilyChannel;
      to: string;
      view: FamilyView;
      fields: NoticeFields;
    }
  | { outcome: 'hold' | 'drop'; reason: NotSentReason; view?: FamilyView };

export type NotSentReason = HoldReason | DropReason | 'unknown_notice' | 'no_case';

// The disclosure gate: the one place that decides what a family may be told now. Every channel
// that speaks to a family gets the family's view of the case from here and renders nothing else;
// every family notice is queued through notify() (the outbox takes them from nobody else) and
// reviewed again by review() when it is about to go. A notice the gate will not let go is held
// on the case with the reason and whose action caused it, and reconsidered by release() when the
// facts change (a consent, a verification, an approved address).
@Injectable()
export class DisclosureGate {
  constructor(
    private readonly facts: FamilyFactsRegistry,
    private readonly trust: ContactTrustService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {
    outbox.acceptFamilyNoticesFrom(this);
  }

  // The family's view of each case, in the caller's transaction.
  async views(
    manager: EntityManager,
    inquiryIds: readonly string[],
    details: ViewDetails = 'none',
  ): Promise<Map<string, FamilyView>> {
    const ids = [...new Set(inquiryIds)];
    const cases = await this.facts.cases(manager, ids);
    const identities = await this.facts.identity(manager, ids);
    const trusted = await this.trust.trustedOf(manager, ids);
    const views = new Map<string, FamilyView>();
    for (const id of ids) {
      const facts = cases.get(id);
      if (!facts) continue;
      const identity = identities.get(id) ?? NO_IDENTITY_FACTS;
      const trustedOfKind = (kind: 'email' | 'phone') =>
        identity.verification === 'verified'
          ? (trusted.get(id) ?? []).filter((c) => c.kind === kind).map((c) => c.value)
          : null;
      const trust: TrustFacts = {
        trustedEmails: trustedOfKind('email'),
        trustedPhones: trustedOfKind('phone'),
      };
      views.set(id, await this.withDetails(manager, familyViewOf(facts, identity, trust), details));
    }
    return views;
  }

  async view(
    manager: EntityManager,
    inquiryId: string,
    details: ViewDetails = 'none',
  ): Promise<FamilyView | undefined> {
    return (await this.views(manager, [inquiryId], details)).get(inquiryId);
  }

  async isDisclosed(manager: EntityManager, inquiryId: string): Promise<boolean> {
    return (await this.view(manager, inquiryId))?.disclosed ?? false;
  }

  // Queues a notice to the family of a case, held or dropped if the gate says so: in the caller's
  // transaction, after the change that caused it.
  async notify(manager: EntityManager, command: FamilyNoticeCommand): Promise<QueuedDecision> {
    const [decision] = await this.notifyAll(manager, [command]);
    return decision;
  }

  async notifyAll(
    manager: EntityManager,
    commands: FamilyNoticeCommand[],
  ): Promise<QueuedDecision[]> {
    if (commands.length === 0) return [];
    const views = await this.views(
      manager,
      commands.map((c) => c.inquiryId),
    );
    const decided = commands.map((command) => {
      const view = views.get(command.inquiryId);
      if (!view) throw new Error(`no case ${command.inquiryId} to notify`);
      const fields = command.fields ?? {};
      return { command, view, decision: decide(command.notice, fields, view, 'queue') };
    });
    const ids = await this.outbox.enqueueFamilyInTransaction(
      manager,
      this,
      decided.map(({ command, view, decision }) => ({
        eventType: command.notice,
        inquiryId: command.inquiryId,
        recipientId: view.inquirerId,
        payload: allowedFields(command.notice, command.fields ?? {}),
        state:
          decision.outcome === 'send'
            ? 'pending'
            : decision.outcome === 'hold'
              ? 'held'
              : 'suppressed',
        reason: decision.outcome === 'send' ? null : HOLD_EXPLAINED[decision.reason],
        familyStage: view.stage,
      })),
    );
    for (const [i, { command, decision }] of decided.entries()) {
      if (decision.outcome === 'send') continue;
      await this.recordNotSent(manager, {
        id: ids[i],
        inquiryId: command.inquiryId,
        notice: command.notice,
        decision,
        actor: command.actor,
      });
    }
    return decided.map((d, i) => ({ ...d.decision, id: ids[i] }));
  }

  // Queued notices as they are about to go: what the gate says now, and the view to render.
  async review(manager: EntityManager, notices: QueuedNotice[]): Promise<Map<string, Review>> {
    const result = new Map<string, Review>();
    const known = notices.filter((n) => isFamilyNotice(n.eventType));
    for (const n of notices) {
      if (!isFamilyNotice(n.eventType)) {
        result.set(n.id, { outcome: 'drop', reason: 'unknown_notice' });
      }
    }
    const base = await this.views(
      manager,
      known.map((n) => n.inquiryId),
    );
    for (const n of known) {
      const notice = n.eventType as FamilyNotice;
      const plain = base.get(n.inquiryId);
      if (!plain) {
        result.set(n.id, { outcome: 'drop', reason: 'no_case' });
        continue;
      }
      const fields = allowedFields(notice, n.payload);
      const decision = decide(notice, fields, plain, 'send');
      if (decision.outcome !== 'send' || !decision.to) {
        result.set(n.id, {
          outcome: decision.outcome === 'send' ? 'drop' : decision.outcome,
          reason: decision.outcome === 'send' ? 'no_address' : decision.reason,
          view: plain,
        });
        continue;
      }
      const view = await this.withDetails(manager, plain, notice);
      result.set(n.id, {
        outcome: 'send',
        channel: decision.channel,
        to: decision.to,
        view,
        fields,
      });
    }
    return result;
  }

  // The facts of a case changed: its held notices are decided again, and those the gate now lets
  // go are queued (or given up if they no longer apply). Returns how many went to the queue.
  async release(manager: EntityManager, inquiryId: string, actor: ActorContext): Promise<number> {
    const held = await this.outbox.heldOf(manager, inquiryId);
    if (held.length === 0) return 0;
    const view = await this.view(manager, inquiryId);
    if (!view) return 0;
    let released = 0;
    for (const row of held) {
      if (!isFamilyNotice(row.event_type)) continue;
      const decision = decide(row.event_type, row.payload, view, 'queue');
      if (decision.outcome === 'hold') continue;
      await this.outbox.settleHeld(manager, this, {
        id: row.id,
        state: decision.outcome === 'send' ? 'pending' : 'suppressed',
        reason: decision.outcome === 'send' ? null : HOLD_EXPLAINED[decision.reason],
        familyStage: view.stage,
      });
      if (decision.outcome === 'send') released += 1;
      await this.audit.appendInTransaction(manager, {
        action: decision.outcome === 'send' ? 'notice.released' : 'notice.dropped',
        actor,
        entityType: 'outbox_message',
        entityId: row.id,
        inquiryId,
        after: {
          event: row.event_type,
          ...(decision.outcome === 'drop' ? { reason: decision.reason } : {}),
        },
      });
    }
    return released;
  }

  // The family's verification was countersigned as successful: the addresses and numbers they
  // have now are theirs (the countersigning supervisor saw them), and held notices are decided
  // again.
  async familyVerified(
    manager: EntityManager,
    inquiryId: string,
    actor: ActorContext,
  ): Promise<void> {
    const facts = (await this.facts.cases(manager, [inquiryId])).get(inquiryId);
    if (!facts) return;
    await this.trust.trustCurrent(manager, {
      inquiryId,
      contacts: { emails: facts.emails, phones: facts.phones },
      by: actor,
    });
    await this.release(manager, inquiryId, actor);
  }

  // The family's record was edited: a verified family's new address or number waits for a
  // supervisor (nothing goes to it meanwhile).
  async contactsChanged(
    manager: EntityManager,
    inquiryId: string,
    actor: ActorContext,
  ): Promise<void> {
    const facts = (await this.facts.cases(manager, [inquiryId])).get(inquiryId);
    if (!facts) return;
    await this.trust.contactsChanged(manager, {
      inquiryId,
      contacts: { emails: facts.emails, phones: facts.phones },
      actor,
    });
  }

  // Recorded on the case: which notice did not go, why, and whose action it followed.
  async recordNotSent(
    manager: EntityManager,
    input: {
      id: string;
      inquiryId: string;
      notice: string;
      decision: Exclude<NoticeDecision, { outcome: 'send' }>;
      actor: ActorContext;
    },
  ): Promise<void> {
    await this.audit.appendInTransaction(manager, {
      action: input.decision.outcome === 'hold' ? 'notice.held' : 'notice.dropped',
      actor: input.actor,
      entityType: 'outbox_message',
      entityId: input.id,
      inquiryId: input.inquiryId,
      after: { event: input.notice, reason: input.decision.reason },
    });
  }

  private async withDetails(
    manager: EntityManager,
    view: FamilyView,
    details: ViewDetails,
  ): Promise<FamilyView> {
    const journey =
      details === 'export'
        ? view.disclosed && view.stage !== 'closed'
        : (details === 'page' || details === 'family.travel_instructions') && shows.journey(view);
    const appointment =
      (details === 'page' || details === 'family.handover_scheduled') && shows.appointment(view);
    return {
      ...view,
      ...(journey
        ? { journey: await this.facts.journey(manager, view.inquiryId, view.language) }
        : {}),
      ...(appointment
        ? { appointment: await this.facts.appointment(manager, view.inquiryId, view.language) }
        : {}),
    };
  }
}
