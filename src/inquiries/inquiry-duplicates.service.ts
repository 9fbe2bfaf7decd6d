import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CaseRecordsRegistry } from '../common/case-records/case-records.registry.js';
import type { Role } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { PreparedStatement } from '../database/prepared-statement.js';
import { notFound } from './inquiry-lock.util.js';
import { InquiryTransitionService } from './inquiry-transition.service.js';
import { dropSearchIfEmpty } from './searches.service.js';
import { Inquiry } from './inquiry.entity.js';

export interface DuplicateCandidate {
  id: string;
  reference: string;
  status: string;
  inquirerName: string;
  relationship: string;
  soughtPersonName: string;
  // The same relative (one person record) asks again, or another relative about the same man.
  samePerson: boolean;
  samePhone: boolean;
  sameEmail: boolean;
  // Already on the same search (linked by a caseworker): shown on the case, not as a duplicate.
  searchId: string;
  // Only in the answer to a create (when the candidate was opened; ISO 8601).
  createdAt?: string;
}

// Possible duplicates are found by the man sought, whoever asks (a mother, a father with his own
// phone, a wife): the same surname and given name by hc_name_key (any case, ё = е, and across
// scripts and spellings: Коваль = Koval, Андрій = Andrii), and birth dates that do not differ in
// what both give (year, month, day). Contacts only say how close: the same person, a shared phone
// or email. The surname's and given name's keys are indexed together (sought_person_name_key_idx),
// so only namesakes are read.
const key = (expression: string) => `hc_name_key(${expression})`;

// `source` provides the sought person checked as p1 (surname, given_name, birth_*) and its inquiry
// as i1 (id, inquirer_id, search_id) with its inquirer r1 (phones, emails). Oldest first, at most
// 20; inquiries already on i1's search and merged duplicates are left out.
function candidatesSql(source: string, where: string): string {
  return `SELECT i2.id, i2.reference, i2.status, r2.full_name AS "inquirerName",
        i2.relationship, i2.search_id AS "searchId",
        concat_ws(' ', p2.surname, p2.given_name, p2.patronymic) AS "soughtPersonName",
        (i2.inquirer_id = i1.inquirer_id) AS "samePerson",
        (r2.phones && r1.phones) AS "samePhone", (r2.emails && r1.emails) AS "sameEmail"
      FROM ${source}
      CROSS JOIN LATERAL ${namesakes('p1')} p2
      CROSS JOIN LATERAL ${caseOf('p2')} i2
      CROSS JOIN LATERAL ${personOf('i2')} r2
      WHERE ${where} AND p2.id <> p1.id AND i2.search_id <> i1.search_id
        AND ${compatible('p1', 'p2')}
      ORDER BY i2.created_at, i2.id
      LIMIT 20`;
}

// Sought persons of the same surname and a given name that does not contradict `p`'s: one index
// lookup per case (same given name; none given there; none given here), written so that a
// prepared statement's generic plan reads only namesakes whichever case applies.
function namesakes(p: string): string {
  const same = `${key('s.surname')} = ${key(`${p}.surname`)}`;
  return `(SELECT s.* FROM sought_person s
      WHERE ${same} AND ${key('s.given_name')} = ${key(`${p}.given_name`)}
    UNION ALL SELECT s.* FROM sought_person s
      WHERE ${same} AND ${key('s.given_name')} IS NULL AND ${p}.given_name IS NOT NULL
    UNION ALL SELECT s.* FROM sought_person s
      WHERE ${same} AND ${p}.given_name IS NULL)`;
}

// A namesake's case (not closed as a duplicate) and its person, each read by its primary key for
// each namesake: a plain join let a generic plan made while the tables were small hash-join the
// namesakes with a scan of every inquiry (a create's cost then grew with the table).
function caseOf(p: string): string {
  return `(SELECT * FROM inquiry i WHERE i.id = ${p}.inquiry_id
      AND i.status <> 'closed_duplicate' OFFSET 0)`;
}
function personOf(i: string): string {
  return `(SELECT * FROM inquirer r WHERE r.id = ${i}.inquirer_id OFFSET 0)`;
}

// Birth dates that do not contradict each other (the given names, namesakes() has seen to).
function compatible(a: string, b: string): string {
  const either = (column: string) => `${a}.${column} IS NULL OR ${b}.${column} IS NULL`;
  return `(${either('birth_year')} OR ${a}.birth_year = ${b}.birth_year)
        AND (${either('birth_month')} OR ${a}.birth_month = ${b}.birth_month)
        AND (${either('birth_day')} OR ${a}.birth_day = ${b}.birth_day)`;
}

// A stored inquiry (exported: bench:inquiries runs it as its baseline).
export const CANDIDATES = new PreparedStatement<DuplicateCandidate>(
  'homecoming_inquiry_duplicates_v5',
  candidatesSql(
    `inquiry i1 JOIN inquirer r1 ON r1.id = i1.inquirer_id
     JOIN sought_person p1 ON p1.inquiry_id = i1.id`,
    'i1.id = $1',
  ),
);

// The same check for an inquiry about to be created, or being created in the same statement
// (InquiriesService's create): the values as the statement's parameters (e.g. '$3'), the
// person's id (null for a new person). `cte` goes in the statement's WITH list, `json` is a
// scalar expression: one JSON array, oldest first, at most 20.
export function candidatesForNew(p: {
  personId: string;
  phones: string;
  emails: string;
  surname: string;
  givenName: string;
  birthYear: string;
  birthMonth: string;
  birthDay: string;
}): { cte: string; json: string } {
  return {
    cte: `p1 AS (SELECT ${p.surname}::text AS surname, ${p.givenName}::text AS given_name,
       ${p.birthYear}::smallint AS birth_year, ${p.birthMonth}::smallint AS birth_month,
       ${p.birthDay}::smallint AS birth_day)`,
    json: `(SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c."createdAt", c.id), '[]'::jsonb) FROM (
       SELECT i2.id, i2.reference, i2.status, r2.full_name AS "inquirerName", i2.relationship,
         i2.search_id AS "searchId",
         concat_ws(' ', p2.surname, p2.given_name, p2.patronymic) AS "soughtPersonName",
         (i2.inquirer_id IS NOT DISTINCT FROM ${p.personId}::uuid) AS "samePerson",
         (r2.phones && ${p.phones}::text[]) AS "samePhone",
         (r2.emails && ${p.emails}::text[]) AS "sameEmail", i2.created_at AS "createdAt"
       FROM p1
       CROSS JOIN LATERAL ${namesakes('p1')} p2
       CROSS JOIN LATERAL ${caseOf('p2')} i2
       CROSS JOIN LATERAL ${personOf('i2')} r2
       WHERE ${compatible('p1', 'p2')}
       ORDER BY i2.created_at, i2.id
       LIMIT 20) c)`,
  };
}

// One not yet saved: the intake form asks before saving (the same check a create runs).
const PROPOSED = candidatesForNew({
  personId: 'NULL',
  phones: '$1',
  emails: '$2',
  surname: '$3',
  givenName: '$4',
  birthYear: '$5',
  birthMonth: '$6',
  birthDay: '$7',
});
export const PROPOSED_CANDIDATES = `WITH ${PROPOSED.cte} SELECT ${PROPOSED.json} AS candidates`;

export interface ProposedInquiry {
  phones: string[];
  emails: string[];
  surname: string;
  givenName?: string | null;
  birthYear?: number | null;
  birthMonth?: number | null;
  birthDay?: number | null;
}

@Injectable()
export class InquiryDuplicatesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: InquiryTransitionService,
    private readonly audit: AuditService,
    private readonly caseRecords: CaseRecordsRegistry,
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
      proposed.birthMonth ?? null,
      proposed.birthDay ?? null,
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
      const duplicate = locked.find((i) => i.id === duplicateId)!;
      // One relative's inquiries only: another relative asking about the same man keeps their
      // own inquiry (verification, consent, letters) and joins the search instead.
      if (duplicate.inquirerId !== survivor.inquirerId) {
        throw new DomainException('conflict', 'Inquiries of two different persons', {
          detail:
            'Only one person’s inquiries are merged. Another relative asking about the same man ' +
            'is linked to the same search; if the two records are one person, merge the persons first.',
        });
      }
      // A journey or a handover is one case's alone: the travel and handover modules refuse
      // the merge (CaseRecordsRegistry.guardMerge), before anything moves.
      await this.caseRecords.refuseIfKept({
        manager,
        from: duplicateId,
        to: survivorId,
        actor,
        reason: input.reason,
      });
      await this.transitions.executeInTransaction(manager, {
        inquiryId: duplicateId,
        to: 'closed_duplicate',
        reason: input.reason,
        version: input.version,
        actor,
        roles: input.roles,
      });
      await manager.getRepository(Inquiry).update({ id: duplicateId }, { duplicateOf: survivorId });
      // Both were about one man: whoever was on the duplicate's search joins the survivor's.
      if (duplicate.searchId !== survivor.searchId) {
        await manager.query(`UPDATE inquiry SET search_id = $2 WHERE search_id = $1`, [
          duplicate.searchId,
          survivor.searchId,
        ]);
        await dropSearchIfEmpty(manager, duplicate.searchId);
      }
      // What belongs to the duplicate follows it, each module moving its own records: letters in
      // and out, calls, visits, letters on paper, callbacks, matches, verifications, consents,
      // trusted addresses, contact changes, status links.
      const moved = await this.caseRecords.moveAll({
        manager,
        from: duplicateId,
        to: survivorId,
        actor,
        reason: input.reason,
      });
      for (const [inquiryId, role] of [duplicateId, survivorId]
        .sort()
        .map((id) => [id, id === survivorId ? 'survivor' : 'duplicate'])) {
        await this.audit.appendInTransaction(manager, {
          action: 'inquiry.merge',
          actor,
          entityType: 'inquiry',
          entityId: inquiryId,
          inquiryId,
          after: { role, duplicateId, survivorId, reason: input.reason, moved },
        });
      }
      return manager.getRepository(Inquiry).findOneByOrFail({ id: duplicateId });
    });
  }
}
