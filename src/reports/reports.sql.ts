// The reports' statements. Filters apply to the inquiries counted: created in [$1, $2) (either
// may be null), channel $3, assignee $4 (a staff id; null: anyone). Each is one set-based query.

const FILTERED = `
  SELECT i.* FROM inquiry i
  WHERE ($1::timestamptz IS NULL OR i.created_at >= $1)
    AND ($2::timestamptz IS NULL OR i.created_at < $2)
    AND ($3::text IS NULL OR i.channel = $3)
    AND ($4::uuid IS NULL OR i.assigned_to = $4)`;

// 1. Where the cases stand: open ones by status, closed ones by outcome.
export const STATUS_REPORT = `
  WITH f AS (${FILTERED})
  SELECT status, count(*)::int AS count, status LIKE 'closed_%' AS closed
  FROM f GROUP BY status ORDER BY closed, status`;

// 7. Created and closed per ISO week, in UTC (closing: the first entry into a closed_* status).
export const TREND_REPORT = `
  WITH f AS (${FILTERED}),
  created AS (
    SELECT date_trunc('week', created_at AT TIME ZONE 'UTC')::date AS week, count(*)::int AS n FROM f GROUP BY 1),
  closed AS (
    SELECT date_trunc('week', first_closed AT TIME ZONE 'UTC')::date AS week, count(*)::int AS n
    FROM (SELECT min(h.entered_at) AS first_closed FROM f
          JOIN inquiry_status_history h ON h.inquiry_id = f.id AND h.status LIKE 'closed_%'
          GROUP BY f.id) c
    GROUP BY 1)
  SELECT coalesce(created.week, closed.week)::text AS week,
    coalesce(created.n, 0) AS created, coalesce(closed.n, 0) AS closed
  FROM created FULL JOIN closed ON closed.week = created.week
  ORDER BY week`;

// 5. Per caseworker: open cases assigned, and callbacks overdue on them.
export const WORKLOAD_REPORT = `
  WITH f AS (${FILTERED})
  SELECT s.id AS "staffId", s.display_name AS "displayName",
    count(DISTINCT f.id) FILTER (WHERE f.status NOT LIKE 'closed_%' AND f.status <> 'handed_over')::int
      AS "openInquiries",
    count(c.id)::int AS "overdueCallbacks"
  FROM f JOIN staff_user s ON s.id = f.assigned_to
  LEFT JOIN callback c ON c.inquiry_id = f.id AND c.state = 'open'
    AND c.due_at + c.window_minutes * interval '1 minute' < now()
  GROUP BY s.id, s.display_name
  ORDER BY "openInquiries" DESC, "displayName"`;
