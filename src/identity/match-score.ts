// How a registry candidate compares with the sought person, field by field, and what the
// numbers mean. The score is computed in PostgreSQL (candidates.sql.ts) from these weights; the
// explanation is read from the same per-field figures.

// Weights of the fields the family gave; a score is the weighted mean over those fields, so a
// missing field neither helps nor hurts. Names and the date of birth carry most of it.
export const WEIGHTS = {
  surname: 0.25,
  givenName: 0.2,
  patronymic: 0.15,
  birthDate: 0.25,
  personalNumber: 0.15,
  militaryUnit: 0.05,
  fathersFirstName: 0.05,
  mothersMaidenName: 0.05,
} as const;
export type MatchField = keyof typeof WEIGHTS;

// What each kind of date agreement is worth (of the date's weight).
export const BIRTH_DATE_AGREEMENT = {
  exact: 1,
  year_month: 0.85,
  day_month_swapped: 0.8,
  year: 0.7,
  year_off_by_one: 0.3,
  different: 0,
} as const;
export type BirthDateAgreement = keyof typeof BIRTH_DATE_AGREEMENT;

// At or above: a strong match (names and full date agree, or nearly); a caseworker may propose
// it. Below `POSSIBLE`: not shown.
export const STRONG_MATCH = 0.85;
export const POSSIBLE_MATCH = 0.45;

export type Agreement = 'exact' | 'similar' | 'different' | 'not_compared';

export interface FieldExplanation {
  field: MatchField;
  agreement: Agreement | BirthDateAgreement;
  // 0..1 for this field; null when it was not compared (the family or the registry lacks it).
  similarity: number | null;
  weight: number;
}

export interface MatchExplanation {
  score: number;
  strength: 'strong' | 'possible' | 'weak';
  // The family wrote surname and given name the other way round.
  namesSwapped: boolean;
  fields: FieldExplanation[];
}

export function agreementOf(similarity: number | null): Agreement {
  if (similarity === null) return 'not_compared';
  if (similarity >= 0.999) return 'exact';
  if (similarity >= 0.4) return 'similar';
  return 'different';
}

export function strengthOf(score: number): MatchExplanation['strength'] {
  if (score >= STRONG_MATCH) return 'strong';
  if (score >= POSSIBLE_MATCH) return 'possible';
  return 'weak';
}
