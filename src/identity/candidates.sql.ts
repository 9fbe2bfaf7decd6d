import { BIRTH_DATE_AGREEMENT, POSSIBLE_MATCH, WEIGHTS } from './match-score.js';

// Registry candidates for a sought person, scored in PostgreSQL. Names are compared by their
// hc_name_key (Cyrillic and the usual Latin spellings fold to one key) through trigram indexes
// on the prisoner's keys: the surname as written, the surname and given name swapped, and the
// personal number. Only that candidate set is scored; the registry is never scanned.
//
// `q` is one row of query values: sk, gk, pk (name keys), by, bm, bd (date of birth parts),
// pn (personal number, normalised), uk, fk, mk (keys of unit, father's and mother's names).
// The statement's text is built from `q`'s source, so the same scoring serves a stored sought
// person (by inquiry id) and values given directly (the recall tests and bench:match).

// The personal number as compared: letters and digits, upper case.
export const NORMALISED_NUMBER = (e: string) =>
  `upper(regexp_replace(${e}, '[^0-9A-Za-zА-Яа-яЁё]', '', 'g'))`;

const dateAgreement = `CASE
    WHEN q.by IS NULL OR p.birth_date IS NULL THEN NULL
    WHEN q.bd IS NOT NULL AND p.birth_date = make_date(q.by, q.bm, q.bd) THEN 'exact'
    WHEN q.bd IS NOT NULL AND q.bd <= 12 AND q.bm <> q.bd
      AND p.birth_date = make_date(q.by, q.bd, q.bm) THEN 'day_month_swapped'
    WHEN q.bm IS NOT NULL AND q.bd IS NULL AND date_part('year', p.birth_date) = q.by
      AND date_part('month', p.birth_date) = q.bm THEN 'year_month'
    WHEN date_part('year', p.birth_date) = q.by THEN 'year'
    WHEN abs(date_part('year', p.birth_date) - q.by) = 1 THEN 'year_off_by_one'
    ELSE 'different' END`;

const dateValue = `CASE f.birth_date ${Object.entries(BIRTH_DATE_AGREEMENT)
  .map(([k, v]) => `WHEN '${k}' THEN ${v}`)
  .join(' ')} END`;

// The candidate set, each branch an index lookup: the surname's key as written with a given
// name alike by trigrams (a misspelt given name); the given name's key as written with a surname
// alike (a surname spelled in a way the key does not fold); the two keys swapped; the two swapped; the personal number. Only when none of
// those finds anyone, surname and given name alike by trigrams (both misspelled), through the
// surname's trigram index, which costs more.
const LOOKUPS = `
    SELECT p.id FROM q JOIN prisoner p ON p.surname_key = q.sk
      AND (q.gk IS NULL OR similarity(p.given_key, q.gk) >= 0.3)
    UNION
    SELECT p.id FROM q JOIN prisoner p ON p.given_key = q.gk
      AND similarity(p.surname_key, q.sk) >= 0.3
    UNION
    SELECT p.id FROM q JOIN prisoner p ON p.surname_key = q.gk AND p.given_key = q.sk
    UNION
    SELECT p.id FROM q JOIN prisoner p ON q.pn IS NOT NULL
      AND ${NORMALISED_NUMBER('p.personal_number')} = q.pn`;
const FALLBACK = `
    SELECT p.id FROM q JOIN prisoner p ON p.surname_key % q.sk
      AND (q.gk IS NULL OR similarity(p.given_key, q.gk) >= 0.3)`;

const sim = (a: string, b: string) =>
  `CASE WHEN ${a} = ${b} THEN 1 ELSE similarity(${a}, ${b}) END`;

export interface CandidatesOptions {
  // Prisoner ids to score instead of the index lookups (one prisoner being proposed).
  candidates?: string;
  minimumScore?: number;
  limit: string;
}

export function candidatesSql(querySource: string, options: CandidatesOptions): string {
  const w = WEIGHTS;
  return `
  WITH q AS MATERIALIZED (${querySource}),
  found AS MATERIALIZED (${options.candidates ?? LOOKUPS}),
  c AS (
    SELECT id FROM found
    UNION ALL
    ${options.candidates ? 'SELECT NULL::uuid WHERE false' : `${FALLBACK} WHERE NOT EXISTS (SELECT FROM found)`}
  ),
  f AS (
    SELECT p.id,
      ${sim('p.surname_key', 'q.sk')} AS surname,
      CASE WHEN q.gk IS NULL THEN NULL ELSE ${sim('p.given_key', 'q.gk')} END AS given_name,
      CASE WHEN q.gk IS NULL THEN 0
        ELSE (${w.surname} * similarity(p.given_key, q.sk) + ${w.givenName} * similarity(p.surname_key, q.gk)) * 0.95
      END AS swapped,
      CASE WHEN q.pk IS NULL THEN NULL WHEN p.patronymic_key IS NULL THEN 0
        ELSE ${sim('p.patronymic_key', 'q.pk')} END AS patronymic,
      ${dateAgreement} AS birth_date,
      CASE WHEN q.pn IS NULL THEN NULL
        WHEN ${NORMALISED_NUMBER('p.personal_number')} = q.pn THEN 1 ELSE 0 END AS personal_number,
      CASE WHEN q.uk IS NULL OR p.military_unit IS NULL THEN NULL
        ELSE similarity(hc_name_key(p.military_unit), q.uk) END AS military_unit,
      CASE WHEN q.fk IS NULL OR p.fathers_first_name IS NULL THEN NULL
        ELSE ${sim('hc_name_key(p.fathers_first_name)', 'q.fk')} END AS fathers_first_name,
      CASE WHEN q.mk IS NULL OR p.mothers_maiden_name IS NULL THEN NULL
        ELSE ${sim('hc_name_key(p.mothers_maiden_name)', 'q.mk')} END AS mothers_maiden_name,
      ${w.surname} + CASE WHEN q.gk IS NULL THEN 0 ELSE ${w.givenName} END
        + CASE WHEN q.pk IS NULL THEN 0 ELSE ${w.patronymic} END
        + CASE WHEN q.by IS NULL THEN 0 ELSE ${w.birthDate} END
        + CASE WHEN q.pn IS NULL THEN 0 ELSE ${w.personalNumber} END
        + CASE WHEN q.uk IS NULL THEN 0 ELSE ${w.militaryUnit} END
        + CASE WHEN q.fk IS NULL THEN 0 ELSE ${w.fathersFirstName} END
        + CASE WHEN q.mk IS NULL THEN 0 ELSE ${w.mothersMaidenName} END AS weights
    FROM c CROSS JOIN q
      CROSS JOIN LATERAL (SELECT * FROM prisoner WHERE prisoner.id = c.id OFFSET 0) p
  ),
  s AS (
    SELECT f.*,
      (${w.surname} * f.surname + ${w.givenName} * coalesce(f.given_name, 0)) < f.swapped AS names_swapped,
      (greatest(${w.surname} * f.surname + ${w.givenName} * coalesce(f.given_name, 0), f.swapped)
        + ${w.patronymic} * coalesce(f.patronymic, 0)
        + ${w.birthDate} * coalesce(${dateValue}, 0)
        + ${w.personalNumber} * coalesce(f.personal_number, 0)
        + ${w.militaryUnit} * coalesce(f.military_unit, 0)
        + ${w.fathersFirstName} * coalesce(f.fathers_first_name, 0)
        + ${w.mothersMaidenName} * coalesce(f.mothers_maiden_name, 0)) / f.weights AS score
    FROM f
  )
  SELECT s.*, p.personal_number AS "personalNumber", p.surname AS "prisonerSurname",
    p.given_names AS "givenNames", p.patronymic AS "prisonerPatronymic",
    p.birth_date::text AS "birthDate", p.rank, p.military_unit AS "militaryUnit"
  FROM s JOIN prisoner p ON p.id = s.id
  WHERE s.score >= ${options.minimumScore ?? POSSIBLE_MATCH}
  ORDER BY s.score DESC, p.id
  LIMIT ${options.limit}`;
}

// The query values from a stored sought person.
export const SOUGHT_PERSON_QUERY = `
  SELECT hc_name_key(s.surname) AS sk, hc_name_key(s.given_name) AS gk,
    hc_name_key(s.patronymic) AS pk, s.birth_year::int AS by, s.birth_month::int AS bm,
    s.birth_day::int AS bd, nullif(${NORMALISED_NUMBER('s.personal_number')}, '') AS pn,
    hc_name_key(s.military_unit) AS uk, hc_name_key(s.fathers_first_name) AS fk,
    hc_name_key(s.mothers_maiden_name) AS mk
  FROM sought_person s WHERE s.inquiry_id = $1`;

// The query values given directly, as parameters $1..$10 in the order above (names as written).
export const GIVEN_QUERY = `
  SELECT hc_name_key($1::text) AS sk, hc_name_key($2::text) AS gk, hc_name_key($3::text) AS pk,
    $4::int AS by, $5::int AS bm, $6::int AS bd,
    nullif(${NORMALISED_NUMBER('$7::text')}, '') AS pn, hc_name_key($8::text) AS uk,
    hc_name_key($9::text) AS fk, hc_name_key($10::text) AS mk`;
