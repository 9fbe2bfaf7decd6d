import { Injectable } from '@nestjs/common';
import { findByReference, findInquiryOrFail } from '../inquiries/case-lookup.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { PageQuery } from '../common/dto/page.query.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import type { IntakeOutcome } from './inbound-email.entity.js';
import { IntakeService } from './intake.service.js';

interface Waiting {
  from_address: string | null;
  from_name: string | null;
  language: 'ru' | 'uk' | 'en' | 'other' | null;
}

// Letters that reached no case and were not let open one on their own (an automatic answer to
// nothing, a letter with no sender address): a person reads each and opens a case from it,
// puts it on the case it belongs to, or sets it aside with the reason. Every decision is
// audited; a letter is decided once, whoever comes second is told what the first decided.
@Injectable()
export class IntakeReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly intake: IntakeService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQuery, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      const items = (await manager.query(
        `SELECT id, received_at AS "receivedAt", source, from_address AS "fromAddress",
           from_name AS "fromName", subject, left(text_body, 4000) AS "textBody", language,
           reason, hints, authentication
         FROM inbound_email WHERE outcome = 'review'
         ORDER BY received_at, id LIMIT $1 OFFSET $2`,
        [query.pageSize, (query.page - 1) * query.pageSize],
      )) as unknown[];
      const [{ total }] = (await manager.query(
        `SELECT count(*)::int AS total FROM inbound_email WHERE outcome = 'review'`,
      )) as { total: number }[];
      await this.audit.recordReadInTransaction(manager, {
        action: 'email.read',
        actor,
        entityType: 'inbound_email',
        entityId: 'review',
        after: { count: items.length },
      });
      return { items, total, page: query.page, pageSize: query.pageSize };
    });
  }

  // A new case from the letter, opened as a family's first letter opens one (and acknowledged).
  open(id: string, actor: ActorContext) {
    return this.decide(id, actor, async (manager, letter) => {
      if (!letter.from_address) {
        throw new DomainException('conflict', 'The letter has no sender address', {
          detail: 'A case needs an address to answer: put the letter on a case, or set it aside.',
          extensions: { reason: 'no_sender' },
        });
      }
      const inquiryId = await this.intake.openReviewed(
        manager,
        {
          fromAddress: letter.from_address,
          fromName: letter.from_name,
          language: letter.language ?? 'other',
        },
        actor,
      );
      return { outcome: 'opened', inquiryId, action: 'email.review_opened' } as const;
    });
  }

  // On the case a person knows it belongs to.
  attach(id: string, reference: string, actor: ActorContext) {
    return this.decide(id, actor, async (manager) => {
      const inquiry = await findByReference(manager, reference);
      if (!inquiry) {
        throw new ValidationFailedException([
          { field: 'reference', rule: 'exists', message: `no case ${reference}` },
        ]);
      }
      return {
        outcome: 'attached',
        inquiryId: inquiry.id,
        action: 'email.review_attached',
      } as const;
    });
  }

  // Nothing to do (spam, an answer that needs none): kept, with the person's reason.
  dismiss(id: string, reason: string, actor: ActorContext) {
    return this.decide(id, actor, () =>
      Promise.resolve({
        outcome: 'discarded',
        inquiryId: null,
        action: 'email.review_dismissed',
        reason,
      } as const),
    );
  }

  // The letter locked, still waiting (else 409 with what became of it), the choice made and
  // recorded with its audit event, all in one transaction.
  private decide(
    id: string,
    actor: ActorContext,
    choose: (manager: EntityManager, letter: Waiting) => Promise<Decided>,
  ) {
    return this.dataSource.transaction(async (manager) => {
      const [letter] = (await manager.query(
        `SELECT outcome, from_address, from_name, language FROM inbound_email
         WHERE id = $1 FOR UPDATE`,
        [id],
      )) as (Waiting & { outcome: IntakeOutcome })[];
      if (!letter)
        throw new DomainException('not_found', 'No such letter', { detail: `No ${id}.` });
      if (letter.outcome !== 'review') {
        throw new DomainException('conflict', 'Already decided', {
          detail: `The letter is ${letter.outcome}.`,
          extensions: { outcome: letter.outcome },
        });
      }
      const decided = await choose(manager, letter);
      await manager.query(
        `UPDATE inbound_email SET outcome = $2, inquiry_id = $3, needs_review = false,
           reason = coalesce($4, reason), processed_at = now()
         WHERE id = $1`,
        [id, decided.outcome, decided.inquiryId, decided.reason ?? null],
      );
      await this.audit.appendInTransaction(manager, {
        action: decided.action,
        actor,
        entityType: 'inbound_email',
        entityId: id,
        inquiryId: decided.inquiryId ?? undefined,
        before: { outcome: 'review' },
        after: { outcome: decided.outcome, ...(decided.reason ? { reason: decided.reason } : {}) },
      });
      const inquiry = decided.inquiryId
        ? await findInquiryOrFail(manager, decided.inquiryId)
        : undefined;
      return {
        id,
        outcome: decided.outcome,
        inquiryId: decided.inquiryId,
        reference: inquiry?.reference ?? null,
      };
    });
  }
}

interface Decided {
  outcome: IntakeOutcome;
  inquiryId: string | null;
  action: 'email.review_opened' | 'email.review_attached' | 'email.review_dismissed';
  reason?: string;
}
