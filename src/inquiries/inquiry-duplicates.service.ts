import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Role } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { PreparedStatement } from '../database/prepared-statement.js';
import { notFound } from './inquiry-lock.util.js';
import { InquiryTransitionService } from './inquiry-transition.service.js';
import { Inquiry } from './inquiry.entity.js';

export interface DuplicateCandidate {
  id: string;
  reference: string;
  status: string;
  inquirerName: string;
  soughtPersonName: string;
  samePhone: boolean;
  sameEmail: boolean;
  // Only in the answer to a create (when the candidate was opened; ISO 8601).
  createdAt?: string;
}

// Names compare as registry matching compares them, by hc_name_key: any case, ё = е, and
// across scripts and spellings (Коваль = Koval, Андрій = Andrii, Алексей = Aleksey). Only the
// few inquiries sharing a phone or email get this far, so the key is computed on them alone.
const nameKey = (column: string) => `hc_name_key(${column})`;

// Other inquiries that are probably the same case: the inquirer shares a phone or an email, the
// sought person has the same surname and given name (by name key, in any script), and the
// years of birth do not differ.
// `source` provides the inquiry checked as i1 (its id), its inquirer as r1 (phones, emails) and its
// sought person as p1 (surname, given_name, birth_year). Oldest first, at most 20.
function candidatesSql(source: string, where: string): string {
  return `SELECT i2.id, i2.reference, i2.status, r2.full_name AS "inquirerName",
        concat_ws(' ', p2.surname, p2.given_name, p2.patronymic) AS "soughtPersonName",
        (r2.phones && r1.phones) AS "samePhone", (r2.emails && r1.emails) AS "sameEmail"
      FROM ${source}
      JOIN inquirer r2 ON (r2.phones && r1.phones OR r2.emails && r1.emails)
      JOIN inquiry i2 ON i2.inquirer_id = r2.id AND i2.id IS DISTINCT FROM i1.id
        AND i2.status <> 'closed_duplicate'
      JOIN sought_person p2 ON p2.inquiry_id = i2.id
      WHERE ${where}
        AND ${nameKey('p2.surname')} = ${nameKey('p1.surname')}
        AND (p1.given_name IS NULL OR p2.given_name IS NULL OR ${nameKey('p2.given_name')} = ${nameKey('p1.given_name')})
        AND (p1.birth_year IS NULL OR p2.birth_year IS NULL OR p1.birth_year = p2.birth_year)
      ORDER BY i2.created_at
      LIMIT 20`;
}

// A stored inquiry: on every create, so prepared.
const CANDIDATES = new PreparedStatement<DuplicateCandidate>(
  'homecoming_inquiry_duplicates_v1',
  candidatesSql(
    `inquiry i1 JOIN inquirer r1 ON r1.id = i1.inquirer_id
     JOIN sought_person p1 ON p1.inquiry_id = i1.id`,
    'i1.id = $1',
  ),
);

// The same check for an inquiry being created in the same statement (InquiriesService's create):
// its phones, emails, surname, given name and year of birth as the statement's parameters (e.g.
// '$3'). Written for a generic plan: the inquirers sharing a phone or email first (GIN), their
// inquiries and sought persons by index from there. `cte` goes in the statement's WITH list,
// `json` is a scalar expression: one JSON array, oldest first, at most 20.
export function candidatesForNew(p: {
  phones: string;
  emails: string;
  surname: string;
  givenName: string;
  birthYear: string;
}): { cte: string; json: string } {
  return {
    cte: `dup_r AS MATERIALIZED (
       SELECT id, full_name, phones, emails FROM inquirer
       WHERE phones && ${p.phones}::text[] OR emails && ${p.emails}::text[])`,
    json: `(SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c."createdAt", c.id), '[]'::jsonb) FROM (
       SELECT d.id, d.reference, d.status, dup_r.full_name AS "inquirerName",
         concat_ws(' ', p2.surname, p2.given_name, p2.patronymic) AS "soughtPersonName",
         (dup_r.phones && ${p.phones}::text[]) AS "samePhone",
         (dup_r.emails && ${p.emails}::text[]) AS "sameEmail", d.created_at AS "createdAt"
       FROM dup_r CROSS JOIN LATERAL (
         SELECT i2.id, i2.reference, i2.status, i2.created_at FROM inquiry i2
         WHERE i2.inquirer_id = dup_r.id AND i2.status <> 'closed_duplicate'
         OFFSET 0) d
       JOIN sought_person p2 ON p2.inquiry_id = d.id
       WHERE ${nameKey('p2.surname')} = ${nameKey(`${p.surname}::text`)}
         AND (${p.givenName}::text IS NULL OR p2.given_name IS NULL
              OR ${nameKey('p2.given_name')} = ${nameKey(`${p.givenName}::text`)})
         AND (${p.birthYear}::smallint IS NULL OR p2.birth_year IS NULL
              OR p2.birth_year = ${p.birthYear}::smallint)
       ORDER BY d.created_at, d.id
       LIMIT 20) c)`,
  };
}

// One not yet saved: the intake form asks before saving (the same check a create runs).
const PROPOSED = candidatesForNew({
  phones: '$1',
  emails: '$2',
  surname: '$3',
  givenName: '$4',
  birthYear: '$5',
});
const PROPOSED_CANDIDATES = `WITH ${PROPOSED.cte} SELECT ${PROPOSED.json} AS candidates`;

export interface ProposedInquiry {
  phones: string[];
  emails: string[];
  surname: string;
  givenName?: string | null;
  birthYear?: number | null;
}

@Injectable()
export class InquiryDuplicatesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: InquiryTransitionService,
    private readonly audit: AuditService,
  ) {}

  async findCandidates(
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DuplicateCandidate[]> {
    if (!(await manager.getRepository(Inquiry).existsBy({ id }))) throw notFound(id);
    return this.candidatesOf(id, manager);
  }

  // For an inquiry about to be created: what the intake operator should look at first.
  async candidatesFor(proposed: ProposedInquiry): Promise<DuplicateCandidate[]> {
    const [row] = (await this.dataSource.query(PROPOSED_CANDIDATES, [
      proposed.phones,
      proposed.emails,
      proposed.surname,
      proposed.givenName ?? null,
      proposed.birthYear ?? null,
    ])) as { candidates: DuplicateCandidate[] }[];
    return row.candidates;
  }

  // For an inquiry known to exist.
  candidatesOf(id: string, manager: EntityManager): Promise<DuplicateCandidate[]> {
    return CANDIDATES.run(manager, [id]);
  }

  // The duplicate moves to closed_duplicate pointing at the survivor (through the state machine,
  // so history, audit and outbox follow its rules); both inquiries record the merge.
  async merge(input: {
    duplicateId: string;
    survivorId: string;
    version: number;
    reason: string;
    actor: ActorContext;
    roles: readonly Role[];
  }): Promise<Inquiry> {
    const { duplicateId, survivorId, actor } = input;
    if (duplicateId === survivorId) {
      throw new DomainException('validation_failed', 'An inquiry cannot be merged into itself', {
        errors: [
          { field: 'survivorId', rule: 'different', message: 'survivorId must be another inquiry' },
        ],
      });
    }
    return this.dataSource.transaction(async (manager) => {
      // Both rows locked in a stable order: two merges of the same pair cannot deadlock.
      const locked = await manager
        .getRepository(Inquiry)
        .createQueryBuilder('i')
        .where('i.id IN (:...ids)', { ids: [duplicateId, survivorId] })
        .orderBy('i.id')
        .setLock('pessimistic_write')
        .getMany();
      const survivor = locked.find((i) => i.id === survivorId);
      if (!locked.some((i) => i.id === duplicateId)) throw notFound(duplicateId);
      if (!survivor) throw notFound(survivorId);
      if (survivor.status === 'closed_duplicate') {
        throw new DomainException('conflict', 'The survivor is itself a duplicate', {
          detail: `Merge into ${survivor.duplicateOf ?? 'the inquiry it was merged into'} instead.`,
        });
      }
      await this.transitions.executeInTransaction(manager, {
        inquiryId: duplicateId,
        to: 'closed_duplicate',
        reason: input.reason,
        version: input.version,
        actor,
        roles: input.roles,
      });
      await manager.getRepository(Inquiry).update({ id: duplicateId }, { duplicateOf: survivorId });
      // Contacts follow the case: the survivor's timeline shows every call and promised callback.
      const [, calls] = (await manager.query(
        `UPDATE call SET inquiry_id = $2 WHERE inquiry_id = $1`,
        [duplicateId, survivorId],
      )) as [unknown, number];
      const [, callbacks] = (await manager.query(
        `UPDATE callback SET inquiry_id = $2 WHERE inquiry_id = $1`,
        [duplicateId, survivorId],
      )) as [unknown, number];
      for (const [inquiryId, role] of [duplicateId, survivorId]
        .sort()
        .map((id) => [id, id === survivorId ? 'survivor' : 'duplicate'])) {
        await this.audit.appendInTransaction(manager, {
          action: 'inquiry.merge',
          actor,
          entityType: 'inquiry',
          entityId: inquiryId,
          inquiryId,
          after: {
            role,
            duplicateId,
            survivorId,
            reason: input.reason,
            movedCalls: calls,
            movedCallbacks: callbacks,
          },
        });
      }
      return manager.getRepository(Inquiry).findOneByOrFail({ id: duplicateId });
    });
  }
}
