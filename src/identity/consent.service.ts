import { Injectable } from '@nestjs/common';
import { findStaff } from '../auth/staff-lookup.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { confirmedPrisoner } from './identity-records.util.js';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';
import {
  PrisonerConsent,
  type ConsentDecision,
  type ConsentKind,
} from './prisoner-consent.entity.js';

export interface ConsentInput {
  kind: ConsentKind;
  decision: ConsentDecision;
  interviewedOn: string;
  interviewedBy: string;
  notes?: string | null;
}

// The prisoner's decisions, recorded after an interview, about the prisoner the case's
// confirmed match names. The latest record of each kind counts; earlier ones stay as history.
@Injectable()
export class ConsentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
  ) {}

  // Reading them is recorded on the reader's own stream.
  async list(inquiryId: string, actor: ActorContext): Promise<PrisonerConsent[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(PrisonerConsent)
        .find({ where: { inquiryId }, order: { recordedAt: 'DESC' } });
      await this.audit.recordReadInTransaction(manager, {
        action: 'consent.read',
        actor,
        inquiryId,
        after: { count: rows.length },
      });
      return rows;
    });
  }

  async record(
    inquiryId: string,
    input: ConsentInput,
    actor: ActorContext,
  ): Promise<PrisonerConsent> {
    return this.dataSource.transaction(async (manager) => {
      await lockForChange(manager, inquiryId);
      const prisonerId = await confirmedPrisoner(manager, inquiryId);
      if (!prisonerId) {
        throw new DomainException('conflict', 'The case has no confirmed match', {
          detail: "Consent is the matched prisoner's: confirm the match (two signatures) first.",
        });
      }
      const interviewer = await findStaff(manager, input.interviewedBy);
      if (!interviewer) {
        throw new ValidationFailedException([
          { field: 'interviewedBy', message: 'must be a staff member' },
        ]);
      }
      const repository = manager.getRepository(PrisonerConsent);
      if (input.decision === 'withdrawn') {
        const latest = await repository.findOne({
          where: { inquiryId, prisonerId, kind: input.kind },
          order: { recordedAt: 'DESC' },
        });
        if (latest?.decision !== 'given') {
          throw new DomainException('conflict', 'There is no consent to withdraw', {
            detail: `Only a consent given can be withdrawn; the latest ${input.kind} decision is ${latest?.decision ?? 'none'}.`,
          });
        }
      }
      const saved = await repository.save(
        repository.create({
          inquiryId,
          prisonerId,
          kind: input.kind,
          decision: input.decision,
          interviewedOn: input.interviewedOn,
          interviewedBy: input.interviewedBy,
          recordedBy: actor.actor,
          notes: input.notes ?? null,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'consent.recorded',
        actor,
        entityType: 'prisoner_consent',
        entityId: saved.id,
        inquiryId,
        after: { kind: saved.kind, decision: saved.decision, interviewedOn: saved.interviewedOn },
      });
      // What waited for his consent may go now (or, withdrawn, stays where it is).
      await this.gate.release(manager, inquiryId, actor);
      return saved;
    });
  }
}
