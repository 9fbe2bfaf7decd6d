import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { fourEyes } from './identity-records.util.js';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';
import { InquiryMatch } from './inquiry-match.entity.js';
import { MatchingService } from './matching.service.js';

export interface AwaitingCountersignature {
  kind: 'match' | 'verification';
  id: string;
  inquiryId: string;
  reference: string;
  signedBy: string;
  signedByName: string | null;
  signedAt: Date;
  summary: string;
  // Whom it is about, for the supervisor who will sign: the man as the family named him, the
  // registry's man the match proposes (or the case's confirmed one, for a verification), the
  // family member.
  soughtPersonName: string;
  prisonerName: string | null;
  inquirerName: string;
}

// A match counts only when two people agree: one proposes the prisoner (with the score and its
// explanation as they stand), a different one countersigns. Either may reject it, with a reason.
// Every step is audited on the case's timeline.
@Injectable()
export class MatchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly matching: MatchingService,
    private readonly audit: AuditService,
  ) {}

  // What waits for a second signature, oldest first, except what `actor` signed first (they may
  // not countersign it): the supervisors' queue.
  async awaitingCountersignature(actor: ActorContext): Promise<AwaitingCountersignature[]> {
    return (await this.dataSource.query(
      `SELECT w.kind, w.id, w.inquiry_id AS "inquiryId", i.reference, w.signed_by AS "signedBy",
         s.display_name AS "signedByName", w.signed_at AS "signedAt", w.summary,
         coalesce(hc_full_name(p.surname, p.given_name, p.patronymic), '') AS "soughtPersonName",
         hc_full_name(x.surname, x.given_names, x.patronymic) AS "prisonerName",
         r.full_name AS "inquirerName"
       FROM (
         SELECT 'match' AS kind, id, inquiry_id, proposed_by AS signed_by, proposed_at AS signed_at,
           round(score::numeric, 2)::text AS summary, prisoner_id
         FROM inquiry_match WHERE state = 'proposed'
         UNION ALL
         SELECT 'verification', v.id, v.inquiry_id, v.verified_by, v.verified_at, v.outcome,
           (SELECT m.prisoner_id FROM inquiry_match m
            WHERE m.inquiry_id = v.inquiry_id AND m.state = 'confirmed')
         FROM inquirer_verification v WHERE v.countersigned_by IS NULL
       ) w
       JOIN inquiry i ON i.id = w.inquiry_id
       JOIN inquirer r ON r.id = i.inquirer_id
       LEFT JOIN sought_person p ON p.inquiry_id = i.id
       LEFT JOIN prisoner x ON x.id = w.prisoner_id
       LEFT JOIN staff_user s ON s.id = w.signed_by
       WHERE w.signed_by <> $1::uuid
       ORDER BY w.signed_at`,
      [actor.actor],
    )) as AwaitingCountersignature[];
  }

  // Reading them is recorded on the reader's own stream.
  list(inquiryId: string, actor: ActorContext): Promise<InquiryMatch[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(InquiryMatch)
        .find({ where: { inquiryId }, order: { proposedAt: 'DESC' } });
      await this.audit.recordReadInTransaction(manager, {
        action: 'match.read',
        actor,
        inquiryId,
        after: { count: rows.length },
      });
      return rows;
    });
  }

  async propose(inquiryId: string, prisonerId: string, actor: ActorContext): Promise<InquiryMatch> {
    return this.dataSource.transaction(async (manager) => {
      await lockForChange(manager, inquiryId);
      const open = await manager.getRepository(InquiryMatch).findOneBy([
        { inquiryId, state: 'proposed' },
        { inquiryId, state: 'confirmed' },
      ]);
      if (open) {
        throw new DomainException('conflict', `The case already has a ${open.state} match`, {
          detail: 'Reject it first to propose another prisoner.',
          extensions: { matchId: open.id },
        });
      }
      const scored = await this.matching.scoreOne(manager, inquiryId, prisonerId);
      if (!scored) {
        throw new DomainException(
          'not_found',
          'No such prisoner, or the case has no sought person',
        );
      }
      const match = await manager.getRepository(InquiryMatch).save(
        manager.getRepository(InquiryMatch).create({
          inquiryId,
          prisonerId,
          state: 'proposed',
          score: scored.score,
          explanation: scored.explanation,
          proposedBy: actor.actor,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'match.proposed',
        actor,
        entityType: 'inquiry_match',
        entityId: match.id,
        inquiryId,
        after: { prisonerId, score: scored.score, strength: scored.explanation.strength },
      });
      return match;
    });
  }

  // `prisonerId`: the man the countersigning supervisor saw named on the review and confirms;
  // it must be the one proposed.
  async countersign(
    matchId: string,
    prisonerId: string,
    actor: ActorContext,
  ): Promise<InquiryMatch> {
    return this.dataSource.transaction(async (manager) => {
      const match = await this.locked(manager, matchId);
      if (match.proposedBy === actor.actor) throw fourEyes('the match');
      if (match.state !== 'proposed') {
        throw new DomainException(
          'conflict',
          `The match is ${match.state}, not awaiting a countersignature`,
        );
      }
      if (match.prisonerId !== prisonerId) {
        throw new DomainException('countersign_mismatch', 'Not the prisoner proposed', {
          detail: 'The match proposes another man than the one confirmed; review it again.',
        });
      }
      Object.assign(match, {
        state: 'confirmed',
        countersignedBy: actor.actor,
        countersignedAt: new Date(),
      });
      await manager.getRepository(InquiryMatch).save(match);
      await this.audit.appendInTransaction(manager, {
        action: 'match.countersigned',
        actor,
        entityType: 'inquiry_match',
        entityId: match.id,
        inquiryId: match.inquiryId,
        before: { state: 'proposed' },
        after: { state: 'confirmed', prisonerId: match.prisonerId },
      });
      return match;
    });
  }

  async reject(matchId: string, reason: string, actor: ActorContext): Promise<InquiryMatch> {
    return this.dataSource.transaction(async (manager) => {
      const match = await this.locked(manager, matchId);
      if (match.state === 'rejected') {
        throw new DomainException('conflict', 'The match is rejected already');
      }
      const before = match.state;
      Object.assign(match, {
        state: 'rejected',
        rejectedBy: actor.actor,
        rejectedAt: new Date(),
        reason,
      });
      await manager.getRepository(InquiryMatch).save(match);
      await this.audit.appendInTransaction(manager, {
        action: 'match.rejected',
        actor,
        entityType: 'inquiry_match',
        entityId: match.id,
        inquiryId: match.inquiryId,
        before: { state: before },
        after: { state: 'rejected', reason },
      });
      return match;
    });
  }

  private async locked(manager: EntityManager, id: string) {
    const match = await manager
      .getRepository(InquiryMatch)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!match) throw new DomainException('not_found', 'No such match');
    return match;
  }
}
