import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { PreparedStatement } from '../database/prepared-statement.js';
import { GIVEN_QUERY, SOUGHT_PERSON_QUERY, candidatesSql } from './candidates.sql.js';
import {
  WEIGHTS,
  agreementOf,
  strengthOf,
  type BirthDateAgreement,
  type FieldExplanation,
  type MatchExplanation,
  type MatchField,
} from './match-score.js';

export interface Candidate {
  prisoner: {
    id: string;
    personalNumber: string;
    surname: string;
    givenNames: string;
    patronymic: string | null;
    birthDate: string | null;
    rank: string | null;
    militaryUnit: string | null;
  };
  score: number;
  explanation: MatchExplanation;
}

// What the family says, for matching without a stored inquiry (tests, bench:match).
export interface SoughtValues {
  surname: string;
  givenName?: string | null;
  patronymic?: string | null;
  birthYear?: number | null;
  birthMonth?: number | null;
  birthDay?: number | null;
  personalNumber?: string | null;
  militaryUnit?: string | null;
  fathersFirstName?: string | null;
  mothersMaidenName?: string | null;
}

interface ScoredRow {
  id: string;
  score: number;
  names_swapped: boolean;
  surname: number;
  given_name: number | null;
  patronymic: number | null;
  birth_date: BirthDateAgreement | null;
  personal_number: number | null;
  military_unit: number | null;
  fathers_first_name: number | null;
  mothers_maiden_name: number | null;
  personalNumber: string;
  prisonerSurname: string;
  givenNames: string;
  prisonerPatronymic: string | null;
  birthDate: string | null;
  rank: string | null;
  militaryUnit: string | null;
}

const FOR_INQUIRY = new PreparedStatement<ScoredRow>(
  'homecoming_match_candidates_v1',
  candidatesSql(SOUGHT_PERSON_QUERY, { limit: '10' }),
);
const FOR_VALUES = new PreparedStatement<ScoredRow>(
  'homecoming_match_candidates_given_v1',
  candidatesSql(GIVEN_QUERY, { limit: '$11' }),
);
// One prisoner scored against an inquiry's sought person, whatever the score (a proposal).
const ONE = new PreparedStatement<ScoredRow>(
  'homecoming_match_one_v1',
  candidatesSql(SOUGHT_PERSON_QUERY, {
    candidates: 'SELECT $2::uuid AS id',
    minimumScore: -1,
    limit: '1',
  }),
);

const COLUMN: Record<MatchField, keyof ScoredRow> = {
  surname: 'surname',
  givenName: 'given_name',
  patronymic: 'patronymic',
  birthDate: 'birth_date',
  personalNumber: 'personal_number',
  militaryUnit: 'military_unit',
  fathersFirstName: 'fathers_first_name',
  mothersMaidenName: 'mothers_maiden_name',
};

function candidateOf(row: ScoredRow): Candidate {
  const score = Math.round(row.score * 1000) / 1000;
  const fields = (Object.keys(WEIGHTS) as MatchField[]).map((field): FieldExplanation => {
    const value = row[COLUMN[field]];
    if (field === 'birthDate') {
      return {
        field,
        agreement: (value as BirthDateAgreement | null) ?? 'not_compared',
        similarity: null,
        weight: WEIGHTS[field],
      };
    }
    const similarity = value === null ? null : Math.round(Number(value) * 1000) / 1000;
    return { field, agreement: agreementOf(similarity), similarity, weight: WEIGHTS[field] };
  });
  return {
    prisoner: {
      id: row.id,
      personalNumber: row.personalNumber,
      surname: row.prisonerSurname,
      givenNames: row.givenNames,
      patronymic: row.prisonerPatronymic,
      birthDate: row.birthDate,
      rank: row.rank,
      militaryUnit: row.militaryUnit,
    },
    score,
    explanation: { score, strength: strengthOf(score), namesSwapped: row.names_swapped, fields },
  };
}

// Registry candidates for a sought person, best first, each with a per-field explanation. The
// scoring is PostgreSQL's (candidates.sql.ts): index lookups on name keys, never a scan.
@Injectable()
export class MatchingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // For a case's sought person; looking at registry records is audited on the case.
  async forInquiry(inquiryId: string, actor: ActorContext): Promise<Candidate[]> {
    const rows = await FOR_INQUIRY.run(this.dataSource.manager, [inquiryId]);
    const candidates = rows.map(candidateOf);
    await this.audit.recordRead({
      action: 'registry.candidates_read',
      actor,
      inquiryId,
      after: { candidates: candidates.map((c) => c.prisoner.id) },
    });
    return candidates;
  }

  async forValues(values: SoughtValues, limit = 10): Promise<Candidate[]> {
    const rows = await FOR_VALUES.run(this.dataSource.manager, [
      values.surname,
      values.givenName ?? null,
      values.patronymic ?? null,
      values.birthYear ?? null,
      values.birthMonth ?? null,
      values.birthDay ?? null,
      values.personalNumber ?? null,
      values.militaryUnit ?? null,
      values.fathersFirstName ?? null,
      values.mothersMaidenName ?? null,
      limit,
    ]);
    return rows.map(candidateOf);
  }

  // One prisoner against the case's sought person, in the caller's transaction.
  async scoreOne(
    manager: EntityManager,
    inquiryId: string,
    prisonerId: string,
  ): Promise<Candidate | undefined> {
    const [row] = await ONE.run(manager, [inquiryId, prisonerId]);
    return row ? candidateOf(row) : undefined;
  }
}
