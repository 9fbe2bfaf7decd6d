import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { lastFour } from '../common/text/last-four.js';
import { latinOf } from '../common/text/latin.js';
import type { MatchExplanation } from './match-score.js';

// What a second signature is given to, side by side: the man as the family described him and
// the registry's record the match names (names in both scripts, birth date, unit, the last four
// of the personal number), the score's explanation field by field, and the family's
// verification with its evidence and their answers beside the registry's. A supervisor signs
// for a named man, not for a row with a score.

export interface SoughtSide {
  surname: string;
  givenName: string | null;
  patronymic: string | null;
  latin: string | null;
  birthYear: number | null;
  birthMonth: number | null;
  birthDay: number | null;
  placeOfBirth: string | null;
  militaryUnit: string | null;
  rank: string | null;
  personalNumberLast4: string | null;
  distinguishingMarks: string | null;
}

export interface PrisonerSide {
  id: string;
  surname: string;
  givenNames: string;
  patronymic: string | null;
  surnameLatin: string | null;
  givenNamesLatin: string | null;
  patronymicLatin: string | null;
  fullName: string;
  birthDate: string | null;
  placeOfBirth: string | null;
  militaryUnit: string | null;
  rank: string | null;
  personalNumberLast4: string;
  capturedOn: string | null;
}

export interface VerificationSide {
  id: string;
  outcome: string;
  method: string;
  relationshipEvidence: string;
  documents: { kind: string; numberLast4: string }[];
  answers: {
    question: string;
    answer: string;
    registryValue: string | null;
    agreesWithRegistry: boolean | null;
  }[];
  verifiedBy: string;
  verifiedByName: string | null;
  verifiedAt: Date;
  countersignedBy: string | null;
}

export interface CountersignReview {
  kind: 'match' | 'verification';
  inquiry: { id: string; reference: string; status: string };
  family: {
    fullName: string;
    relationship: string;
    emails: string[];
    phones: string[];
  };
  sought: SoughtSide;
  match: {
    id: string;
    state: string;
    score: number;
    explanation: MatchExplanation;
    proposedBy: string;
    proposedByName: string | null;
    proposedAt: Date;
  } | null;
  prisoner: PrisonerSide | null;
  verification: VerificationSide | null;
}

const ANSWER_COLUMN: Record<string, 'fathers_first_name' | 'mothers_maiden_name'> = {
  fathers_first_name: 'fathers_first_name',
  mothers_maiden_name: 'mothers_maiden_name',
};

@Injectable()
export class CountersignReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // A proposed (or decided) match, with the case's latest verification. Reading it is audited.
  async ofMatch(matchId: string, actor: ActorContext): Promise<CountersignReview> {
    return this.dataSource.transaction(async (manager) => {
      const [match] = (await manager.query(
        `SELECT m.id, m.inquiry_id, m.prisoner_id, m.state, m.score, m.explanation,
           m.proposed_by AS "proposedBy", s.display_name AS "proposedByName",
           m.proposed_at AS "proposedAt"
         FROM inquiry_match m LEFT JOIN staff_user s ON s.id = m.proposed_by
         WHERE m.id = $1`,
        [matchId],
      )) as {
        id: string;
        inquiry_id: string;
        prisoner_id: string;
        state: string;
        score: number;
        explanation: MatchExplanation;
        proposedBy: string;
        proposedByName: string | null;
        proposedAt: Date;
      }[];
      if (!match) throw new DomainException('not_found', 'No such match');
      const { inquiry_id: inquiryId, prisoner_id: prisonerId, ...shown } = match;
      const review = await this.review(manager, {
        kind: 'match',
        inquiryId,
        prisonerId,
        verificationId: null,
      });
      await this.audit.recordReadInTransaction(manager, {
        action: 'match.read',
        actor,
        inquiryId,
        after: { matchId, prisonerId },
      });
      return { ...review, match: { ...shown, score: Number(shown.score) } };
    });
  }

  // A verification, with the prisoner of the case's confirmed match (if any) to compare the
  // family's answers with. Reading it is audited.
  async ofVerification(verificationId: string, actor: ActorContext): Promise<CountersignReview> {
    return this.dataSource.transaction(async (manager) => {
      const [v] = (await manager.query(
        `SELECT v.inquiry_id,
           (SELECT m.prisoner_id FROM inquiry_match m
            WHERE m.inquiry_id = v.inquiry_id AND m.state = 'confirmed') AS prisoner_id
         FROM inquirer_verification v WHERE v.id = $1`,
        [verificationId],
      )) as { inquiry_id: string; prisoner_id: string | null }[];
      if (!v) throw new DomainException('not_found', 'No such verification');
      const review = await this.review(manager, {
        kind: 'verification',
        inquiryId: v.inquiry_id,
        prisonerId: v.prisoner_id,
        verificationId,
      });
      await this.audit.recordReadInTransaction(manager, {
        action: 'verification.read',
        actor,
        inquiryId: v.inquiry_id,
        after: { verificationId },
      });
      return review;
    });
  }

  private async review(
    manager: EntityManager,
    input: {
      kind: 'match' | 'verification';
      inquiryId: string;
      prisonerId: string | null;
      verificationId: string | null;
    },
  ): Promise<CountersignReview> {
    const [c] = (await manager.query(
      `SELECT i.id, i.reference, i.status, r.full_name, i.relationship, r.emails, r.phones,
         p.surname, p.given_name, p.patronymic, p.birth_year, p.birth_month, p.birth_day,
         p.place_of_birth, p.military_unit, p.rank, p.personal_number, p.distinguishing_marks
       FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
       LEFT JOIN sought_person p ON p.inquiry_id = i.id
       WHERE i.id = $1`,
      [input.inquiryId],
    )) as Record<string, string | number | string[] | null>[];
    const text = (k: string) => (c[k] as string | null) ?? null;
    const num = (k: string) => (c[k] === null ? null : Number(c[k]));
    const prisoner = input.prisonerId ? await this.prisoner(manager, input.prisonerId) : null;
    const [verification] = (await manager.query(
      `SELECT v.id, v.outcome, v.method, v.relationship_evidence AS "relationshipEvidence",
         v.documents, v.answers, v.verified_by AS "verifiedBy",
         s.display_name AS "verifiedByName", v.verified_at AS "verifiedAt",
         v.countersigned_by AS "countersignedBy"
       FROM inquirer_verification v LEFT JOIN staff_user s ON s.id = v.verified_by
       WHERE v.inquiry_id = $1 AND ($2::uuid IS NULL OR v.id = $2)
       ORDER BY v.verified_at DESC LIMIT 1`,
      [input.inquiryId, input.verificationId],
    )) as (Omit<VerificationSide, 'documents' | 'answers'> & {
      documents: { kind: string; numberLast4: string }[];
      answers: { question: string; answer: string; agreesWithRegistry: boolean | null }[];
    })[];
    const registry = prisoner
      ? ((
          (await manager.query(
            `SELECT fathers_first_name, mothers_maiden_name FROM prisoner WHERE id = $1`,
            [prisoner.id],
          )) as Record<string, string | null>[]
        )[0] ?? {})
      : {};
    return {
      kind: input.kind,
      inquiry: { id: c.id as string, reference: c.reference as string, status: c.status as string },
      family: {
        fullName: c.full_name as string,
        relationship: c.relationship as string,
        emails: c.emails as string[],
        phones: c.phones as string[],
      },
      sought: {
        surname: text('surname') ?? '',
        givenName: text('given_name'),
        patronymic: text('patronymic'),
        latin: latinOf(
          [text('surname'), text('given_name'), text('patronymic')].filter(Boolean).join(' '),
        ),
        birthYear: num('birth_year'),
        birthMonth: num('birth_month'),
        birthDay: num('birth_day'),
        placeOfBirth: text('place_of_birth'),
        militaryUnit: text('military_unit'),
        rank: text('rank'),
        personalNumberLast4: text('personal_number') ? lastFour(text('personal_number')!) : null,
        distinguishingMarks: text('distinguishing_marks'),
      },
      match: null,
      prisoner,
      verification: verification
        ? {
            ...verification,
            documents: verification.documents.map((d) => ({
              kind: d.kind,
              numberLast4: d.numberLast4,
            })),
            answers: verification.answers.map((a) => ({
              question: a.question,
              answer: a.answer,
              registryValue: registry[ANSWER_COLUMN[a.question]] ?? null,
              agreesWithRegistry: a.agreesWithRegistry,
            })),
          }
        : null,
    };
  }

  private async prisoner(manager: EntityManager, id: string): Promise<PrisonerSide | null> {
    const [p] = (await manager.query(
      `SELECT id, surname, given_names, patronymic, birth_date::text AS birth_date,
         place_of_birth, military_unit, rank, personal_number, captured_on::text AS captured_on
       FROM prisoner WHERE id = $1`,
      [id],
    )) as Record<string, string | null>[];
    if (!p) return null;
    return {
      id: p.id!,
      surname: p.surname!,
      givenNames: p.given_names!,
      patronymic: p.patronymic,
      surnameLatin: latinOf(p.surname),
      givenNamesLatin: latinOf(p.given_names),
      patronymicLatin: latinOf(p.patronymic),
      fullName: [p.surname, p.given_names, p.patronymic].filter(Boolean).join(' '),
      birthDate: p.birth_date,
      placeOfBirth: p.place_of_birth,
      militaryUnit: p.military_unit,
      rank: p.rank,
      personalNumberLast4: lastFour(p.personal_number!),
      capturedOn: p.captured_on,
    };
  }
}
