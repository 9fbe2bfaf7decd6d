// The next case reference, HC-<year (UTC)>-<sequence, at least six digits>, never reused: a CTE
// named `ref` with one column `reference`, for the statements that open inquiries (the API's
// create, a family's first email).
export const NEXT_REFERENCE_CTE = `ref AS (
  SELECT 'HC-' || extract(year FROM now() AT TIME ZONE 'UTC')::int || '-'
      || lpad(s.n, greatest(6, length(s.n)), '0') AS reference
  FROM (SELECT nextval('inquiry_reference_seq')::text AS n) s)`;
