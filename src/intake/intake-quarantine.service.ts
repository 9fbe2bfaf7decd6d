import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { PageQuery } from '../common/dto/page.query.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { IntakeService } from './intake.service.js';

// Messages a step of intake could not handle: visible, with the error, and either run again
// (after a fix) or given up — never silently dropped. Both are audited.
@Injectable()
export class IntakeQuarantineService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly intake: IntakeService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQuery) {
    const items = (await this.dataSource.query(
      `SELECT id, received_at AS "receivedAt", source, size_bytes AS "sizeBytes", reason,
         subject, from_address AS "fromAddress"
       FROM inbound_email WHERE outcome = 'quarantined'
       ORDER BY received_at DESC, id LIMIT $1 OFFSET $2`,
      [query.pageSize, (query.page - 1) * query.pageSize],
    )) as unknown[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM inbound_email WHERE outcome = 'quarantined'`,
    )) as { total: number }[];
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  async reprocess(id: string, actor: ActorContext) {
    const { whole } = await this.mustBeQuarantined(this.dataSource.manager, id);
    if (!whole) {
      // Only its headers were fetched (too large): run again, it would open a case with no letter.
      throw new DomainException('conflict', 'Only the headers are here', {
        detail:
          'The message was too large to fetch; only its headers are kept. Read it on the mail ' +
          'server (see the reason) and open the case by hand, then give this one up.',
        extensions: { reason: 'not_fetched' },
      });
    }
    await this.audit.append({
      action: 'intake.reprocess',
      actor,
      entityType: 'inbound_email',
      entityId: id,
    });
    return { id, outcome: await this.intake.process(id, 'quarantined') };
  }

  async discard(id: string, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      // Locked: a discard racing a reprocess (or another discard) waits, then finds the outcome.
      await this.mustBeQuarantined(manager, id, 'FOR UPDATE');
      await manager.query(`UPDATE inbound_email SET outcome = 'discarded' WHERE id = $1`, [id]);
      await this.audit.appendInTransaction(manager, {
        action: 'intake.discard',
        actor,
        entityType: 'inbound_email',
        entityId: id,
        before: { outcome: 'quarantined' },
        after: { outcome: 'discarded' },
      });
      return { id, outcome: 'discarded' };
    });
  }

  private async mustBeQuarantined(
    manager: EntityManager,
    id: string,
    lock = '',
  ): Promise<{ whole: boolean }> {
    const [row] = (await manager.query(
      `SELECT outcome, size_bytes <= octet_length(raw) AS whole FROM inbound_email
       WHERE id = $1 ${lock}`,
      [id],
    )) as { outcome: string; whole: boolean }[];
    if (!row) throw new DomainException('not_found', 'No such message', { detail: `No ${id}.` });
    if (row.outcome !== 'quarantined') {
      throw new DomainException('conflict', 'Not in quarantine', {
        detail: `The message is ${row.outcome}.`,
        extensions: { outcome: row.outcome },
      });
    }
    return { whole: row.whole };
  }
}
