import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { lastFour } from '../common/text/last-four.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { confirmedPrisoner, fourEyes } from './identity-records.util.js';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';
import {
  InquirerVerification,
  type VerificationAnswer,
  type VerificationMethod,
  type VerificationOutcome,
  type VerificationQuestion,
} from './inquirer-verification.entity.js';

export interface VerificationInput {
  documents: { kind: string; number: string }[];
  relationshipEvidence: string;
  answers: { question: VerificationQuestion; answer: string }[];
  method: VerificationMethod;
  outcome: VerificationOutcome;
  notes?: string | null;
}

// What the API shows of a verification: document numbers by their last four characters only.
export type VerificationView = Omit<InquirerVerification, 'documents' | 'inquiry'> & {
  documents: { kind: string; numberLast4: string }[];
};

const REGISTRY_COLUMN: Record<VerificationQuestion, string> = {
  fathers_first_name: 'fathers_first_name',
  mothers_maiden_name: 'mothers_maiden_name',
};

// A document number as compared: letters and digits, upper case ("45 10 123456" = "4510123456").
export const documentNumberKey = (n: string) => n.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');

export function viewOf(v: InquirerVerification): VerificationView {
  const { documents, inquiry: _inquiry, ...rest } = v;
  return {
    ...rest,
    documents: documents.map((d) => ({ kind: d.kind, numberLast4: d.numberLast4 })),
  };
}

// The inquirer's verification: recorded by one staff member, counted once a different one has
// countersigned it. Document numbers are sealed at rest; answers only the family can know are
// compared with the registry record of the case's confirmed match (by name key, so Сергей and
// Sergey agree).
@Injectable()
export class VerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
  ) {}

  // Reading them is recorded on the reader's own stream.
  async list(inquiryId: string, actor: ActorContext): Promise<VerificationView[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(InquirerVerification)
        .find({ where: { inquiryId }, order: { verifiedAt: 'DESC' } });
      await this.audit.recordReadInTransaction(manager, {
        action: 'verification.read',
        actor,
        inquiryId,
        after: { count: rows.length },
      });
      return rows.map(viewOf);
    });
  }

  async record(
    inquiryId: string,
    input: VerificationInput,
    actor: ActorContext,
  ): Promise<VerificationView> {
    return this.dataSource.transaction(async (manager) => {
      await lockForChange(manager, inquiryId);
      const answers = await this.compared(manager, inquiryId, input.answers);
      const repository = manager.getRepository(InquirerVerification);
      const saved = await repository.save(
        repository.create({
          inquiryId,
          documents: input.documents.map((d) => ({
            kind: d.kind,
            numberSealed: this.box.seal(d.number),
            numberLast4: lastFour(d.number),
            numberDigest: this.box.digest(documentNumberKey(d.number)),
          })),
          relationshipEvidence: input.relationshipEvidence,
          answers,
          method: input.method,
          outcome: input.outcome,
          notes: input.notes ?? null,
          verifiedBy: actor.actor,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'verification.recorded',
        actor,
        entityType: 'inquirer_verification',
        entityId: saved.id,
        inquiryId,
        after: {
          method: saved.method,
          outcome: saved.outcome,
          documents: saved.documents.map((d) => `${d.kind} …${d.numberLast4}`),
          answersAgree: answers.map((a) => a.agreesWithRegistry),
        },
      });
      return viewOf(saved);
    });
  }

  // `outcome`: what the countersigning supervisor saw and confirms (verified or failed); it must
  // be what was recorded.
  async countersign(
    id: string,
    outcome: VerificationOutcome,
    actor: ActorContext,
  ): Promise<VerificationView> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(InquirerVerification);
      const verification = await repository.findOne({
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!verification) throw new DomainException('not_found', 'No such verification');
      await lockForChange(manager, verification.inquiryId);
      if (verification.verifiedBy === actor.actor) throw fourEyes('the verification');
      if (verification.countersignedBy) {
        throw new DomainException('conflict', 'The verification is countersigned already');
      }
      if (verification.outcome !== outcome) {
        throw new DomainException('countersign_mismatch', 'Not the outcome recorded', {
          detail: `The verification was recorded as ${verification.outcome}; reload and review it again.`,
          extensions: { recorded: verification.outcome },
        });
      }
      Object.assign(verification, { countersignedBy: actor.actor, countersignedAt: new Date() });
      await repository.save(verification);
      await this.audit.appendInTransaction(manager, {
        action: 'verification.countersigned',
        actor,
        entityType: 'inquirer_verification',
        entityId: id,
        inquiryId: verification.inquiryId,
        after: { outcome: verification.outcome },
      });
      // Verified: the family's addresses now are theirs, and what waited may go.
      if (verification.outcome === 'verified') {
        await this.gate.familyVerified(manager, verification.inquiryId, actor);
      }
      return viewOf(verification);
    });
  }

  private async compared(
    manager: EntityManager,
    inquiryId: string,
    answers: VerificationInput['answers'],
  ): Promise<VerificationAnswer[]> {
    const prisonerId = await confirmedPrisoner(manager, inquiryId);
    const result: VerificationAnswer[] = [];
    for (const { question, answer } of answers) {
      let agrees: boolean | null = null;
      if (prisonerId) {
        const [row] = (await manager.query(
          `SELECT hc_name_key(${REGISTRY_COLUMN[question]}) = hc_name_key($2) AS agrees
           FROM prisoner WHERE id = $1`,
          [prisonerId, answer],
        )) as { agrees: boolean | null }[];
        agrees = row?.agrees ?? null;
      }
      result.push({ question, answer, agreesWithRegistry: agrees });
    }
    return result;
  }
}
