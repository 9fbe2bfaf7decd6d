import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { lockAtVersion, notFound } from './inquiry-lock.util.js';
import type { Inquiry } from './inquiry.entity.js';

// One search per sought man. A caseworker who sees that two relatives ask about the same man puts
// the one inquiry on the other's search (never a machine: namesakes exist); each keeps its own
// relationship, verification, consent and letters. Taken off again, it gets a search of its own.
@Injectable()
export class SearchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async link(input: {
    inquiryId: string;
    withInquiryId: string;
    version: number;
    reason: string;
    actor: ActorContext;
  }): Promise<Inquiry> {
    const { inquiryId, withInquiryId, actor } = input;
    if (inquiryId === withInquiryId) {
      throw new DomainException('validation_failed', 'An inquiry is on its own search already', {
        errors: [
          {
            field: 'withInquiryId',
            rule: 'different',
            message: 'withInquiryId must be another inquiry',
          },
        ],
      });
    }
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await lockAtVersion(manager, inquiryId, input.version);
      const [other] = (await manager.query(`SELECT search_id FROM inquiry WHERE id = $1`, [
        withInquiryId,
      ])) as { search_id: string }[];
      if (!other) throw notFound(withInquiryId);
      if (other.search_id === inquiry.searchId) return inquiry;
      const from = inquiry.searchId;
      inquiry.searchId = other.search_id;
      inquiry.updatedAt = new Date();
      const saved = await manager.save(inquiry);
      await dropSearchIfEmpty(manager, from);
      await this.audit.appendInTransaction(manager, {
        action: 'search.linked',
        actor,
        entityType: 'inquiry',
        entityId: inquiryId,
        inquiryId,
        before: { searchId: from },
        after: { searchId: other.search_id, withInquiryId, reason: input.reason },
      });
      return saved;
    });
  }

  async unlink(input: {
    inquiryId: string;
    version: number;
    reason: string;
    actor: ActorContext;
  }): Promise<Inquiry> {
    const { inquiryId, actor } = input;
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await lockAtVersion(manager, inquiryId, input.version);
      const [{ others }] = (await manager.query(
        `SELECT count(*)::int AS others FROM inquiry WHERE search_id = $1 AND id <> $2`,
        [inquiry.searchId, inquiryId],
      )) as { others: number }[];
      if (others === 0) return inquiry;
      const [{ id }] = (await manager.query(`INSERT INTO search DEFAULT VALUES RETURNING id`)) as {
        id: string;
      }[];
      const from = inquiry.searchId;
      inquiry.searchId = id;
      inquiry.updatedAt = new Date();
      const saved = await manager.save(inquiry);
      await this.audit.appendInTransaction(manager, {
        action: 'search.unlinked',
        actor,
        entityType: 'inquiry',
        entityId: inquiryId,
        inquiryId,
        before: { searchId: from },
        after: { searchId: id, reason: input.reason },
      });
      return saved;
    });
  }
}

// A search nobody is on any more goes.
export async function dropSearchIfEmpty(manager: EntityManager, searchId: string): Promise<void> {
  await manager.query(
    `DELETE FROM search s WHERE s.id = $1 AND NOT EXISTS (SELECT 1 FROM inquiry WHERE search_id = s.id)`,
    [searchId],
  );
}
