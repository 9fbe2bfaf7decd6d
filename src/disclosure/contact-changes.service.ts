import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { ContactTrustService, type ContactChangeView } from './contact-trust.service.js';
import { DisclosureGate } from './disclosure.gate.js';

// A supervisor's decision on a new address or number of a verified family: approved, it becomes
// theirs (and what waited for it goes); rejected, nothing ever goes to it. Never by the person
// who entered it.
@Injectable()
export class ContactChangesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly trust: ContactTrustService,
    private readonly gate: DisclosureGate,
    private readonly audit: AuditService,
  ) {}

  list(inquiryId: string): Promise<ContactChangeView[]> {
    return this.trust.changesOf(this.dataSource.manager, inquiryId);
  }

  approve(id: string, actor: ActorContext): Promise<ContactChangeView> {
    return this.decide(id, actor, 'approved');
  }

  reject(id: string, reason: string, actor: ActorContext): Promise<ContactChangeView> {
    return this.decide(id, actor, 'rejected', reason);
  }

  private decide(
    id: string,
    actor: ActorContext,
    state: 'approved' | 'rejected',
    reason?: string,
  ): Promise<ContactChangeView> {
    return this.dataSource.transaction(async (manager) => {
      const [change] = (await manager.query(
        `SELECT id, inquiry_id AS "inquiryId", kind, value, state, requested_by AS "requestedBy"
         FROM contact_change WHERE id = $1 FOR UPDATE`,
        [id],
      )) as ContactChangeView[];
      if (!change) throw new DomainException('not_found', 'No such contact change');
      if (change.state !== 'pending') {
        throw new DomainException('conflict', `The change is ${change.state} already`);
      }
      if (change.requestedBy === actor.actor) {
        throw new DomainException('four_eyes_required', 'A second person must decide this change', {
          detail: 'You entered this address or number; a different supervisor must approve it.',
        });
      }
      const [decided] = (await manager.query(
        `UPDATE contact_change SET state = $2, decided_by = $3, decided_at = now(), reason = $4
         WHERE id = $1
         RETURNING id, inquiry_id AS "inquiryId", kind, value, state, requested_by AS "requestedBy",
           requested_at AS "requestedAt", decided_by AS "decidedBy", decided_at AS "decidedAt",
           reason`,
        [id, state, actor.actor, reason ?? null],
      )) as [ContactChangeView[], number];
      const saved = decided[0];
      if (state === 'approved') {
        await manager.query(
          `INSERT INTO trusted_contact (inquiry_id, kind, value, source, trusted_by)
           VALUES ($1, $2, $3, 'approval', $4) ON CONFLICT DO NOTHING`,
          [change.inquiryId, change.kind, change.value, actor.actor],
        );
      }
      await this.audit.appendInTransaction(manager, {
        action: state === 'approved' ? 'contact.change_approved' : 'contact.change_rejected',
        actor,
        entityType: 'contact_change',
        entityId: id,
        inquiryId: change.inquiryId,
        before: { state: 'pending' },
        after: { state, kind: change.kind, ...(reason ? { reason } : {}) },
      });
      if (state === 'approved') await this.gate.release(manager, change.inquiryId, actor);
      return saved;
    });
  }
}
