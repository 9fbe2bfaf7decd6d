// The reports' statements. Each reads the tallies kept by triggers (migration ReportTallies)
// through rows(); what depends on the time of reading (callbacks overdue now, verifications
// waiting longer than N days) takes the current hour from the cases. Parameters, the same for
// every report:
//   $1 channel (null: every channel)       $2 assignee, a staff id (null: anyone)
//   $3 first day, $4 the day after the last (UTC days; '-infinity' / 'infinity' when open)
//   $5 the metrics the report reads        $6, $7 the whole months inside [$3, $4): read at
//   month grain, the days before and after them at day grain ($6 = $7 = $4: days only)
//   $8 days a verification may wait for its second signature (service levels)
// A statement is given the parameters up to the highest it names.
// A day filter applies to each figure's own day: a case's creation for status, channel, funnel
// and the service levels, the closing day for closings, the day a stay ended for time in state.

// Rows (metric, day, channel, assignee, key, bucket, n): the tallies plus the changes not yet
// folded into them (one snapshot: exact at any moment), for every case ('*') or one caseworker
// ($2).
const TALLY_WHERE = (assignee: string) => `
  metric = ANY($5::text[]) AND ${assignee} AND ($1::text IS NULL OR channel = $1)`;
// Whole months at month grain, the days around them at day grain: three index ranges, each
// skipped when empty (its first condition is decided when the statement is planned).
const TALLY_RANGES = [
  `$6::date < $7::date AND grain = 'm' AND day >= $6::date AND day < $7::date`,
  `$3::date < $6::date AND grain = 'd' AND day >= $3::date AND day < $6::date`,
  `$7::date < $4::date AND grain = 'd' AND day >= $7::date AND day < $4::date`,
];
const rows = (assignee = `assignee = coalesce($2::uuid::text, '*')`) => `
  ${TALLY_RANGES.map(
    (range) => `
  SELECT metric, day, channel, assignee, key, bucket, n FROM report_tally
  WHERE ${TALLY_WHERE(assignee)} AND ${range}`,
  ).join('\n  UNION ALL')}
  UNION ALL
  SELECT metric, day, channel, assignee, key, bucket, n FROM report_tally_delta
  WHERE ${TALLY_WHERE(assignee)} AND ((${TALLY_RANGES.join(') OR (')}))
`;
// Per caseworker (the workload): every caseworker's rows, or $2's.
const PER_CASEWORKER = `assignee NOT IN ('*', '') AND ($2::uuid IS NULL OR assignee = $2::uuid::text)`;

// A case passes the filters (its fact row: creation, channel, assignee).
const FACT_FILTER = `
  f.created_at >= ($3::date::timestamp AT TIME ZONE 'UTC')
  AND f.created_at < ($4::date::timestamp AT TIME ZONE 'UTC')
  AND ($1::text IS NULL OR f.channel = $1) AND ($2::uuid IS NULL OR f.assigned_to = $2::uuid)`;
// The cases themselves, filtered (routes and handovers, which have few rows).
const CASES = `SELECT f.inquiry_id AS id, f.assigned_to FROM report_inquiry_fact f WHERE ${FACT_FILTER}`;

// Callbacks are tallied by the hour their window ends: those of earlier hours are overdue;
// those ending in the current hour are overdue once it has passed, read from the cases (a
// window is at most 8 hours, hence the range on due_at, which the index reads).
const THIS_HOUR = `to_timestamp(hc_report_hour(now())::double precision * 3600)`;
const OVERDUE_THIS_HOUR = `
  SELECT f.assigned_to FROM callback c JOIN (${CASES}) f ON f.id = c.inquiry_id
  WHERE c.state = 'open' AND c.due_at >= ${THIS_HOUR} - interval '8 hours' AND c.due_at < now()
    AND c.due_at + c.window_minutes * interval '1 minute' >= ${THIS_HOUR}
    AND c.due_at + c.window_minutes * interval '1 minute' < now()`;
// Verifications wait by the day they were made (UTC); the cut-off's own day read from the cases.
const CUTOFF = `(now() - $8 * interval '1 day')`;
const WAITING_CUTOFF_DAY = `
  SELECT count(*) FROM inquirer_verification v JOIN (${CASES}) f ON f.id = v.inquiry_id
  WHERE v.countersigned_by IS NULL AND v.verified_at < ${CUTOFF}
    AND v.verified_at >= to_timestamp(hc_report_day_number(${CUTOFF})::double precision * 86400)`;

// Percentiles from 2 % buckets: the p-th is the bucket holding the ceil(p × n)-th smallest value
// (percentile_disc), reported as the bucket's middle — within 1 % of the true value.
const percentiles = (metric: string, groupBy: string) => `
  h AS (SELECT ${groupBy} AS g, bucket, sum(n) AS n FROM t WHERE metric = '${metric}'
        GROUP BY 1, 2 HAVING sum(n) <> 0),
  c AS (SELECT g, bucket, sum(n) OVER (PARTITION BY g ORDER BY bucket) AS cum,
          sum(n) OVER (PARTITION BY g) AS total FROM h),
  p AS (SELECT g, max(total)::int AS total,
          hc_bucket_hours(min(bucket) FILTER (WHERE cum >= 0.5 * total)) AS median,
          hc_bucket_hours(min(bucket) FILTER (WHERE cum >= 0.9 * total)) AS p90
        FROM c GROUP BY g)`;

export interface ReportSql {
  metrics: string[];
  // Weeks do not fit in months: such a report reads day grain only.
  daysOnly?: boolean;
  sql: string;
}

// 1. Where the cases stand: open ones by status, closed ones by outcome.
export const STATUS_REPORT: ReportSql = {
  metrics: ['status'],
  sql: `
    WITH t AS (${rows()})
    SELECT key AS status, sum(n)::int AS count, key LIKE 'closed\\_%' AS closed
    FROM t GROUP BY key HAVING sum(n) <> 0 ORDER BY closed, status`,
};

// 7. Created and closed per ISO week (Monday, UTC); closing: the first entry into a closed_*
// status, counted in the week it happened.
export const TREND_REPORT: ReportSql = {
  metrics: ['status', 'closed'],
  daysOnly: true,
  sql: `
    WITH t AS (${rows()})
    SELECT date_trunc('week', day::timestamp)::date::text AS week,
      coalesce(sum(n) FILTER (WHERE metric = 'status'), 0)::int AS created,
      coalesce(sum(n) FILTER (WHERE metric = 'closed'), 0)::int AS closed
    FROM t GROUP BY 1
    HAVING coalesce(sum(n) FILTER (WHERE metric = 'status'), 0) <> 0
      OR coalesce(sum(n) FILTER (WHERE metric = 'closed'), 0) <> 0
    ORDER BY week`,
};

// 5. Per caseworker: open cases assigned (not closed, not handed over), and callbacks overdue
// on them.
export const WORKLOAD_REPORT: ReportSql = {
  metrics: ['status', 'callback'],
  sql: `
    WITH t AS (${rows(PER_CASEWORKER)}),
    open AS (
      SELECT assignee::uuid AS staff_id, sum(n) AS n FROM t
      WHERE metric = 'status' AND key NOT LIKE 'closed\\_%' AND key <> 'handed_over' GROUP BY 1),
    overdue AS (
      SELECT staff_id, sum(n) AS n FROM (
        SELECT assignee::uuid AS staff_id, n FROM t
        WHERE metric = 'callback' AND bucket < hc_report_hour(now())
        UNION ALL
        SELECT assigned_to, 1 FROM (${OVERDUE_THIS_HOUR}) o WHERE assigned_to IS NOT NULL) x
      GROUP BY 1)
    SELECT s.id AS "staffId", s.display_name AS "displayName",
      coalesce(open.n, 0)::int AS "openInquiries", coalesce(overdue.n, 0)::int AS "overdueCallbacks"
    FROM open FULL JOIN overdue ON overdue.staff_id = open.staff_id
    JOIN staff_user s ON s.id = coalesce(open.staff_id, overdue.staff_id)
    WHERE coalesce(open.n, 0) <> 0 OR coalesce(overdue.n, 0) <> 0
    ORDER BY "openInquiries" DESC, "displayName"`,
};

// 2. For the cases created in each month (UTC): how many reached each milestone (a status the
// case has entered at some time; verified: a countersigned verification), and how many are
// closed otherwise.
export const FUNNEL_REPORT: ReportSql = {
  metrics: ['status', 'milestone'],
  sql: `
    WITH t AS (${rows()})
    SELECT date_trunc('month', day::timestamp)::date::text AS month,
      coalesce(sum(n) FILTER (WHERE metric = 'status'), 0)::int AS created,
      coalesce(sum(n) FILTER (WHERE metric = 'milestone' AND key = 'verified'), 0)::int AS verified,
      coalesce(sum(n) FILTER (WHERE metric = 'milestone' AND key = 'detention_confirmed'), 0)::int
        AS "detentionConfirmed",
      coalesce(sum(n) FILTER (WHERE metric = 'milestone' AND key = 'travel'), 0)::int AS travel,
      coalesce(sum(n) FILTER (WHERE metric = 'milestone' AND key = 'handed_over'), 0)::int
        AS "handedOver",
      coalesce(sum(n) FILTER (WHERE metric = 'status' AND key LIKE 'closed\\_%'), 0)::int
        AS "closedOtherwise"
    FROM t GROUP BY 1
    HAVING coalesce(sum(n) FILTER (WHERE metric = 'status'), 0) <> 0
    ORDER BY month`,
};

// 3. How long cases stay in each state: median and 90th percentile (hours) of the stays that
// ended in the period.
export const TIME_IN_STATE_REPORT: ReportSql = {
  metrics: ['stay'],
  sql: `
    WITH t AS (${rows()}), ${percentiles('stay', 'key')}
    SELECT g AS status, total AS stays, median AS "medianHours", p90 AS "p90Hours"
    FROM p ORDER BY g`,
};

// 4. Service levels for the cases created in the period: time to the first response (the
// acknowledgement sent, or the first call), callbacks overdue, verifications waiting for a
// second signature longer than $8 days, mail that failed; and mail quarantined in the period.
export const SERVICE_LEVELS_REPORT: ReportSql = {
  metrics: ['status', 'response', 'callback', 'unsigned', 'mail_failed'],
  sql: `
    WITH t AS (${rows()}), ${percentiles('response', "''")}
    SELECT
      (SELECT coalesce(sum(n), 0) FROM t WHERE metric = 'status')::int AS inquiries,
      (SELECT coalesce(sum(n) FILTER (WHERE metric = 'status'), 0)
              - coalesce(sum(n) FILTER (WHERE metric = 'response'), 0) FROM t)::int AS "notAnswered",
      (SELECT median FROM p) AS "firstResponseMedianHours",
      (SELECT p90 FROM p) AS "firstResponseP90Hours",
      ((SELECT coalesce(sum(n), 0) FROM t
        WHERE metric = 'callback' AND bucket < hc_report_hour(now()))
       + (SELECT count(*) FROM (${OVERDUE_THIS_HOUR}) o))::int AS "callbacksOverdue",
      ((SELECT coalesce(sum(n), 0) FROM t
        WHERE metric = 'unsigned' AND bucket < hc_report_day_number(${CUTOFF}))
       + (${WAITING_CUTOFF_DAY}))::int AS "verificationsWaiting",
      (SELECT coalesce(sum(n), 0) FROM t WHERE metric = 'mail_failed')::int AS "mailFailed",
      (SELECT count(*) FROM inbound_email e WHERE e.outcome = 'quarantined'
        AND e.received_at >= ($3::date::timestamp AT TIME ZONE 'UTC')
        AND e.received_at < ($4::date::timestamp AT TIME ZONE 'UTC'))::int AS "mailQuarantined"`,
};

// 6. Cases by channel.
export const CHANNELS_REPORT: ReportSql = {
  metrics: ['status'],
  sql: `
    WITH t AS (${rows()})
    SELECT channel, sum(n)::int AS count FROM t GROUP BY channel HAVING sum(n) <> 0
    ORDER BY channel`,
};

// 6. Travellers by crossing point and week of the planned crossing; handovers completed per
// week (UTC) — few rows, read from the plans and appointments of the filtered cases.
export const ROUTES_REPORT: ReportSql = {
  metrics: [],
  sql: `
    SELECT p.crossing_point_id AS "crossingPointId",
      date_trunc('week', p.planned_crossing_at AT TIME ZONE 'UTC')::date::text AS week,
      count(t.id)::int AS travellers
    FROM (${CASES}) f JOIN travel_plan p ON p.inquiry_id = f.id
    JOIN traveller t ON t.travel_plan_id = p.id
    WHERE p.crossing_point_id IS NOT NULL AND p.planned_crossing_at IS NOT NULL
    GROUP BY 1, 2 ORDER BY 2, 1`,
};

export const HANDOVERS_REPORT: ReportSql = {
  metrics: [],
  sql: `
    SELECT date_trunc('week', a.handed_over_at AT TIME ZONE 'UTC')::date::text AS week,
      count(*)::int AS handovers
    FROM (${CASES}) f JOIN handover_appointment a ON a.inquiry_id = f.id AND a.state = 'completed'
    GROUP BY 1 ORDER BY 1`,
};
