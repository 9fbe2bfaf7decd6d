import type { AuditAction } from '../audit/audit-actions.js';
import type { ChannelNotice } from '../mail/family-channels.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ValidationFailedException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { Call } from './call.entity.js';
import { Callback, type ClosedCallbackState } from './callback.entity.js';
import { callbackNotFound, callbackNotOpen, staleCallbackVersion } from './contacts.exception.js';
import { findInquiryOrFail, findInquiryWithInquirerOrFail } from '../inquiries/case-lookup.js';

// A notice told by phone is due at once, within a working morning or afternoon.
const NOTICE_CALL_WINDOW_MINUTES = 240;
const NOTICE_CALLER: ActorContext = { actor: 'system:mail' };

export interface ScheduleCallbackCommand {
  inquiryId: string;
  dueAt: Date;
  windowMinutes: number;
  // The inquirer's first phone when not given.
  phone?: string;
  notes?: string;
  staffId: string;
  actor: ActorContext;
}

export interface CloseCallbackCommand {
  callbackId: string;
  to: ClosedCallbackState;
  // The version the caller saw.
  version: number;
  // Only when completing: the call that kept the promise.
  callId?: string;
  // Notes on completing or missing; the reason for cancelling.
  note?: string;
  staffId: string;
  actor: ActorContext;
}

const CLOSING_ACTIONS: Record<ClosedCallbackState, AuditAction> = {
  done: 'callback.complete',
  missed: 'callback.miss',
  cancelled: 'callback.cancel',
};

@Injectable()
export class CallbacksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
  ) {}

  // The promise, the family's notice of it and the audit event, in one transaction.
  async schedule(command: ScheduleCallbackCommand): Promise<Callback> {
    return this.dataSource.transaction(async (manager) => {
      const { inquiry, inquirer } = await findInquiryWithInquirerOrFail(manager, command.inquiryId);
      // A promise to call needs a number to call.
      const phone = command.phone ?? inquirer.phones[0];
      if (!phone) {
        throw new ValidationFailedException([
          {
            field: 'phone',
            rule: 'required',
            message: 'phone is required: the inquirer has no phone number on record',
          },
        ]);
      }
      const repository = manager.getRepository(Callback);
      const callback = await repository.save(
        repository.create({
          inquiryId: inquiry.id,
          dueAt: command.dueAt,
          windowMinutes: command.windowMinutes,
          phone,
          notes: command.notes ?? null,
          state: 'open',
          createdBy: command.staffId,
        }),
      );
      await this.gate.notify(manager, {
        inquiryId: inquiry.id,
        notice: 'family.callback_scheduled',
        fields: {
          dueAt: callback.dueAt.toISOString(),
          windowMinutes: callback.windowMinutes,
          phone: callback.phone,
        },
        actor: command.actor,
      });
      await this.audit.appendInTransaction(manager, {
        action: 'callback.schedule',
        actor: command.actor,
        entityType: 'callback',
        entityId: callback.id,
        inquiryId: inquiry.id,
        after: {
          state: callback.state,
          dueAt: callback.dueAt,
          windowMinutes: callback.windowMinutes,
        },
      });
      return callback;
    });
  }

  // A notice to a family who hear from us by phone (FamilyChannels): a call for staff to make now,
  // with the words to say, on the case's callbacks; once per notice, however often the sender
  // tries. Nobody promised it: the service asks for it (no creator).
  async forNotice(notice: ChannelNotice): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [created] = (await manager.query(
        `INSERT INTO callback (inquiry_id, due_at, window_minutes, phone, notes, notice_id)
         VALUES ($1, now(), $2, $3, $4, $5)
         ON CONFLICT (notice_id) WHERE notice_id IS NOT NULL DO NOTHING
         RETURNING id, due_at AS "dueAt", window_minutes AS "windowMinutes"`,
        [
          notice.inquiryId,
          NOTICE_CALL_WINDOW_MINUTES,
          notice.to,
          `${notice.subject}\n\n${notice.text}`,
          notice.noticeId,
        ],
      )) as { id: string; dueAt: Date; windowMinutes: number }[];
      if (!created) return;
      await this.audit.appendInTransaction(manager, {
        action: 'callback.schedule',
        actor: NOTICE_CALLER,
        entityType: 'callback',
        entityId: created.id,
        inquiryId: notice.inquiryId,
        after: {
          state: 'open',
          dueAt: created.dueAt,
          windowMinutes: created.windowMinutes,
          notice: notice.noticeId,
        },
      });
    });
  }

  // Completes, misses or cancels an open callback. The row is locked first, so two people
  // closing the same promise take turns and the version check is exact.
  async close(command: CloseCallbackCommand): Promise<Callback> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Callback);
      const callback = await repository.findOne({
        where: { id: command.callbackId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!callback) throw callbackNotFound(command.callbackId);
      if (callback.version !== command.version) {
        throw staleCallbackVersion(command.version, callback.version);
      }
      if (callback.state !== 'open') throw callbackNotOpen(callback.state);
      if (command.callId) await assertCallOfInquiry(manager, command.callId, callback.inquiryId);

      callback.state = command.to;
      callback.completedBy = command.staffId;
      callback.completedAt = new Date();
      callback.completingCallId = command.callId ?? null;
      callback.closingNote = command.note ?? null;
      const saved = await repository.save(callback);
      await this.audit.appendInTransaction(manager, {
        action: CLOSING_ACTIONS[command.to],
        actor: command.actor,
        entityType: 'callback',
        entityId: saved.id,
        inquiryId: saved.inquiryId,
        before: { state: 'open' },
        after: {
          state: saved.state,
          ...(saved.completingCallId ? { completingCallId: saved.completingCallId } : {}),
          // Why a promise to a family was withdrawn belongs in the trail, like a transition's.
          ...(command.to === 'cancelled' ? { reason: saved.closingNote } : {}),
        },
      });
      return saved;
    });
  }

  // Latest due first.
  // Reading them is recorded on the reader's own stream.
  async listForInquiry(inquiryId: string, actor: ActorContext): Promise<Callback[]> {
    return this.dataSource.transaction(async (manager) => {
      await findInquiryOrFail(manager, inquiryId);
      const rows = await manager
        .getRepository(Callback)
        .find({ where: { inquiryId }, order: { dueAt: 'DESC', id: 'ASC' } });
      await this.audit.recordReadInTransaction(manager, {
        action: 'callback.read',
        actor,
        inquiryId,
        after: { count: rows.length },
      });
      return rows;
    });
  }
}

async function assertCallOfInquiry(
  manager: EntityManager,
  callId: string,
  inquiryId: string,
): Promise<void> {
  const found = await manager.getRepository(Call).existsBy({ id: callId, inquiryId });
  if (!found) {
    throw new ValidationFailedException([
      { field: 'callId', rule: 'callOfInquiry', message: 'callId must be a call of this inquiry' },
    ]);
  }
}
