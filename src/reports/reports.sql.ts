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

// 2. For the cases created in each month (UTC): how many reached each milestone, and how many
// closed otherwise. A milestone is a status the case has entered at some time (its history).
export const FUNNEL_REPORT = `
  WITH f AS (${FILTERED}),
  reached AS (
    SELECT f.id, date_trunc('month', f.created_at AT TIME ZONE 'UTC')::date AS month, f.status,
      EXISTS (SELECT FROM inquirer_verification v WHERE v.inquiry_id = f.id
              AND v.outcome = 'verified' AND v.countersigned_by IS NOT NULL) AS verified,
      bool_or(h.status = 'detention_confirmed') AS detention_confirmed,
      bool_or(h.status = 'travel_planning') AS travel,
      bool_or(h.status = 'handed_over') AS handed_over
    FROM f JOIN inquiry_status_history h ON h.inquiry_id = f.id
    GROUP BY f.id, f.created_at, f.status)
  SELECT month::text AS month, count(*)::int AS created,
    count(*) FILTER (WHERE verified)::int AS verified,
    count(*) FILTER (WHERE detention_confirmed)::int AS "detentionConfirmed",
    count(*) FILTER (WHERE travel)::int AS travel,
    count(*) FILTER (WHERE handed_over)::int AS "handedOver",
    count(*) FILTER (WHERE status LIKE 'closed_%')::int AS "closedOtherwise"
  FROM reached GROUP BY month ORDER BY month`;

// 3. How long cases stay in each state: median and 90th percentile (hours) of the stays that
// ended in [$5, $6) (either may be null), from the status history.
export const TIME_IN_STATE_REPORT = `
  WITH f AS (${FILTERED})
  SELECT h.status, count(*)::int AS stays,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM h.left_at - h.entered_at)) / 3600)::numeric, 2)::float AS "medianHours",
    round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM h.left_at - h.entered_at)) / 3600)::numeric, 2)::float AS "p90Hours"
  FROM f JOIN inquiry_status_history h ON h.inquiry_id = f.id
  WHERE h.left_at IS NOT NULL
    AND ($5::timestamptz IS NULL OR h.left_at >= $5)
    AND ($6::timestamptz IS NULL OR h.left_at < $6)
  GROUP BY h.status ORDER BY h.status`;

// 4. Service levels: time to the first response (the acknowledgement sent, or the first call),
// callbacks overdue, verifications waiting for a second signature longer than $5 days, mail
// failed out and quarantined in.
export const SERVICE_LEVELS_REPORT = `
  WITH f AS (${FILTERED}),
  first AS (
    SELECT f.id, least(
      (SELECT min(o.sent_at) FROM outbox_message o WHERE o.inquiry_id = f.id
         AND o.event_type = 'family.acknowledgement' AND o.state = 'sent'),
      (SELECT min(c.occurred_at) FROM call c WHERE c.inquiry_id = f.id)) - f.created_at AS wait
    FROM f)
  SELECT
    (SELECT count(*) FROM f)::int AS inquiries,
    (SELECT count(*) FROM first WHERE wait IS NULL)::int AS "notAnswered",
    (SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM wait)) / 3600)::numeric, 2)::float
       FROM first WHERE wait IS NOT NULL) AS "firstResponseMedianHours",
    (SELECT round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM wait)) / 3600)::numeric, 2)::float
       FROM first WHERE wait IS NOT NULL) AS "firstResponseP90Hours",
    (SELECT count(*) FROM callback c JOIN f ON f.id = c.inquiry_id WHERE c.state = 'open'
       AND c.due_at + c.window_minutes * interval '1 minute' < now())::int AS "callbacksOverdue",
    (SELECT count(*) FROM inquirer_verification v JOIN f ON f.id = v.inquiry_id
       WHERE v.countersigned_by IS NULL AND v.verified_at < now() - $5 * interval '1 day')::int
       AS "verificationsWaiting",
    (SELECT count(*) FROM outbox_message o JOIN f ON f.id = o.inquiry_id
       WHERE o.state = 'failed')::int AS "mailFailed",
    (SELECT count(*) FROM inbound_email e WHERE e.outcome = 'quarantined'
       AND ($1::timestamptz IS NULL OR e.received_at >= $1)
       AND ($2::timestamptz IS NULL OR e.received_at < $2))::int AS "mailQuarantined"`;

// 6. Channels and routes: cases by channel; travellers by crossing point and week of the planned
// crossing; handovers completed per week (UTC).
export const CHANNELS_REPORT = `
  WITH f AS (${FILTERED})
  SELECT channel, count(*)::int AS count FROM f GROUP BY channel ORDER BY channel`;

export const ROUTES_REPORT = `
  WITH f AS (${FILTERED})
  SELECT p.crossing_point_id AS "crossingPointId",
    date_trunc('week', p.planned_crossing_at AT TIME ZONE 'UTC')::date::text AS week,
    count(t.id)::int AS travellers
  FROM f JOIN travel_plan p ON p.inquiry_id = f.id JOIN traveller t ON t.travel_plan_id = p.id
  WHERE p.crossing_point_id IS NOT NULL AND p.planned_crossing_at IS NOT NULL
  GROUP BY 1, 2 ORDER BY 2, 1`;

export const HANDOVERS_REPORT = `
  WITH f AS (${FILTERED})
  SELECT date_trunc('week', a.handed_over_at AT TIME ZONE 'UTC')::date::text AS week,
    count(*)::int AS handovers
  FROM f JOIN handover_appointment a ON a.inquiry_id = f.id AND a.state = 'completed'
  GROUP BY 1 ORDER BY 1`;
