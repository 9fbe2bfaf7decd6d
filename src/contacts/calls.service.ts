import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { Call, type CallDirection, type CallOutcome } from './call.entity.js';
import { findInquiryOrFail } from '../inquiries/case-lookup.js';

export interface LogCallCommand {
  inquiryId: string;
  direction: CallDirection;
  // Now when not given.
  occurredAt?: Date;
  durationSeconds: number;
  outcome: CallOutcome;
  notes?: string;
  staffId: string;
  actor: ActorContext;
}

@Injectable()
export class CallsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // The call and its audit event, in one transaction. Notes stay out of the audit trail, which
  // can never be erased.
  async log(command: LogCallCommand): Promise<Call> {
    return this.dataSource.transaction(async (manager) => {
      await findInquiryOrFail(manager, command.inquiryId);
      const repository = manager.getRepository(Call);
      const call = await repository.save(
        repository.create({
          inquiryId: command.inquiryId,
          direction: command.direction,
          occurredAt: command.occurredAt ?? new Date(),
          durationSeconds: command.durationSeconds,
          outcome: command.outcome,
          notes: command.notes ?? null,
          staffId: command.staffId,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'call.log',
        actor: command.actor,
        entityType: 'call',
        entityId: call.id,
        inquiryId: call.inquiryId,
        after: {
          direction: call.direction,
          occurredAt: call.occurredAt,
          durationSeconds: call.durationSeconds,
          outcome: call.outcome,
        },
      });
      return call;
    });
  }

  // Newest first.
  // Reading them is recorded on the reader's own stream.
  async listForInquiry(inquiryId: string, actor: ActorContext): Promise<Call[]> {
    return this.dataSource.transaction(async (manager) => {
      await findInquiryOrFail(manager, inquiryId);
      const rows = await manager
        .getRepository(Call)
        .find({ where: { inquiryId }, order: { occurredAt: 'DESC', id: 'ASC' } });
      await this.audit.recordReadInTransaction(manager, {
        action: 'call.read',
        actor,
        inquiryId,
        after: { count: rows.length },
      });
      return rows;
    });
  }
}
