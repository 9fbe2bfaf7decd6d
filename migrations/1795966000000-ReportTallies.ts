import type { MigrationInterface, QueryRunner } from 'typeorm';

// What the reports read at a million cases: tallies kept by triggers in the writing transaction,
// so a report is exact at any moment and never scans the cases.
//
// - report_inquiry_fact: one row per case with what the reports need (status, assignee,
//   milestones reached, first closing, first response, its ended stays, open callbacks, unsigned
//   verifications, failed mail). It is recomputed from the source
//   tables (report_fact_source) by hc_report_refresh, called by deferred constraint triggers
//   on inquiry, its status history, calls, acknowledgements and verifications: at COMMIT, after
//   the transaction's last change, under the fact row's lock. The recomputation is idempotent,
//   so two transactions touching one case cannot count it twice, and taking that lock last
//   cannot deadlock with the locks the transaction took before.
// - report_tally: counts by (metric, grain, assignee, day, channel, key, bucket), at day and
//   month grain (a month is read whole where a filter covers it), for every case (assignee '*')
//   and per caseworker ('' unassigned): a case's figures follow it when it is reassigned.
//   Durations (time in a state, to the first response) are counted in 2 % buckets, so
//   percentiles come from the counts; moments by the hour (a callback's end) or the day (a
//   verification made), the current one read from the cases.
// - report_tally_delta: the changes, appended by the fact row's trigger; never
//   updated, so concurrent writers do not queue on a hot counter row. hc_report_fold moves them
//   into report_tally (one folder at a time); readers sum both, so folding changes no figure.
//
// A session that sets homecoming.report_triggers = 'off' (seed:bulk, the rebuild) writes no
// tallies and must end with hc_report_rebuild(), which recomputes everything.
export class ReportTallies1795966000000 implements MigrationInterface {
  name = 'ReportTallies1795966000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    const fn = `LANGUAGE plpgsql SET search_path = public, pg_catalog, pg_temp`;
    // The functions every write runs: a SET clause costs each call a configuration save and
    // restore (measured: a tenth of a create's database time); they are not SECURITY DEFINER.
    const hot = `LANGUAGE plpgsql`;

    await q(`CREATE FUNCTION hc_utc_day(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE
             PARALLEL SAFE AS $$ SELECT (at AT TIME ZONE 'UTC')::date $$`);
    // Bucket b >= 1 holds [1.02^(b-1), 1.02^b) seconds; 0 holds less than a second (and the
    // negative: a call logged as made just before the case was opened).
    await q(`CREATE FUNCTION hc_duration_bucket(seconds double precision) RETURNS int
             LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
             SELECT CASE WHEN seconds < 1 THEN 0 ELSE 1 + floor(ln(seconds) / ln(1.02))::int END $$`);
    // A bucket's middle (geometric) in hours, to two decimals: within 1 % of any value in it.
    await q(`CREATE FUNCTION hc_bucket_hours(bucket int) RETURNS double precision
             LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
             SELECT CASE WHEN bucket IS NULL THEN NULL WHEN bucket <= 0 THEN 0
               ELSE round((power(1.02, bucket - 0.5) / 3600)::numeric, 2)::float8 END $$`);

    // A stay that has ended: its status, the day it ended, its duration's bucket.
    await q(`CREATE TYPE report_stay AS (status text, day date, bucket int)`);
    await q(`CREATE TABLE report_inquiry_fact (
               inquiry_id uuid PRIMARY KEY REFERENCES inquiry (id) ON DELETE CASCADE,
               created_at timestamptz NOT NULL,
               channel text NOT NULL,
               status text NOT NULL,
               assigned_to uuid,
               verified boolean NOT NULL,
               detention_confirmed boolean NOT NULL,
               travel boolean NOT NULL,
               handed_over boolean NOT NULL,
               first_closed_at timestamptz,
               first_response_at timestamptz,
               callbacks_due timestamptz[] NOT NULL,
               unsigned_since timestamptz[] NOT NULL,
               mail_failed int NOT NULL,
               stays report_stay[] NOT NULL)
             -- Room on each page: a status change updates the row in place (a HOT update).
             WITH (fillfactor = 70)`);
    await q(
      `CREATE INDEX report_inquiry_fact_assigned_to_idx ON report_inquiry_fact (assigned_to)`,
    );
    // The verifications still waiting for a second signature, by when they were made.
    await q(`CREATE INDEX inquirer_verification_unsigned_idx ON inquirer_verification (verified_at)
             WHERE countersigned_by IS NULL`);
    await q(`CREATE TABLE report_tally (
               metric text NOT NULL, grain "char" NOT NULL, assignee text NOT NULL, day date NOT NULL,
               channel text NOT NULL, key text NOT NULL, bucket int NOT NULL, n bigint NOT NULL,
               PRIMARY KEY (metric, grain, assignee, day, channel, key, bucket) INCLUDE (n))`);
    await q(`CREATE INDEX report_tally_zero_idx ON report_tally (metric) WHERE n = 0`);
    await q(`CREATE TABLE report_tally_delta (
               metric text NOT NULL, grain "char" NOT NULL, assignee text NOT NULL, day date NOT NULL,
               channel text NOT NULL, key text NOT NULL, bucket int NOT NULL, n int NOT NULL)`);

    // A case's figures, from the source tables. Grouped subqueries: a rebuild hashes them
    // whole, a refresh of one case gets its id pushed into each.
    await q(`CREATE VIEW report_fact_source AS
             SELECT i.id AS inquiry_id, i.created_at, i.channel, i.status, i.assigned_to,
               coalesce(v.verified, false) AS verified,
               coalesce(h.detention_confirmed, false) AS detention_confirmed,
               coalesce(h.travel, false) AS travel,
               coalesce(h.handed_over, false) AS handed_over,
               h.first_closed_at,
               least(o.first_ack, c.first_call) AS first_response_at,
               coalesce(cb.due, '{}') AS callbacks_due,
               coalesce(v.unsigned, '{}') AS unsigned_since,
               coalesce(o.failed, 0)::int AS mail_failed,
               coalesce(h.stays, '{}') AS stays
             FROM inquiry i
             LEFT JOIN (SELECT inquiry_id,
                          bool_or(status = 'detention_confirmed') AS detention_confirmed,
                          bool_or(status = 'travel_planning') AS travel,
                          bool_or(status = 'handed_over') AS handed_over,
                          min(entered_at) FILTER (WHERE status LIKE 'closed\\_%') AS first_closed_at,
                          array_agg(ROW(status, hc_utc_day(left_at),
                                        hc_duration_bucket(extract(epoch FROM left_at - entered_at)))::report_stay
                                    ORDER BY entered_at) FILTER (WHERE left_at IS NOT NULL) AS stays
                        FROM inquiry_status_history GROUP BY inquiry_id) h ON h.inquiry_id = i.id
             LEFT JOIN (SELECT inquiry_id,
                          bool_or(outcome = 'verified' AND countersigned_by IS NOT NULL) AS verified,
                          array_agg(verified_at ORDER BY verified_at)
                            FILTER (WHERE countersigned_by IS NULL) AS unsigned
                        FROM inquirer_verification GROUP BY inquiry_id) v ON v.inquiry_id = i.id
             LEFT JOIN (SELECT inquiry_id,
                          min(sent_at) FILTER (WHERE event_type = 'family.acknowledgement'
                                                 AND state = 'sent') AS first_ack,
                          count(*) FILTER (WHERE state = 'failed') AS failed
                        FROM outbox_message GROUP BY inquiry_id) o ON o.inquiry_id = i.id
             LEFT JOIN (SELECT inquiry_id, min(occurred_at) AS first_call FROM call
                        GROUP BY inquiry_id) c ON c.inquiry_id = i.id
             LEFT JOIN (SELECT inquiry_id,
                          array_agg(due_at + window_minutes * interval '1 minute' ORDER BY due_at) AS due
                        FROM callback WHERE state = 'open' GROUP BY inquiry_id) cb
               ON cb.inquiry_id = i.id`);

    // What one case adds to the tallies (a NULL fact adds nothing), for every case ('*') and for
    // its caseworker.
    await q(`CREATE FUNCTION hc_report_hour(at timestamptz) RETURNS int LANGUAGE sql IMMUTABLE
             PARALLEL SAFE AS $$ SELECT floor(extract(epoch FROM at) / 3600)::int $$`);
    await q(`CREATE FUNCTION hc_report_day_number(at timestamptz) RETURNS int LANGUAGE sql
             IMMUTABLE PARALLEL SAFE AS $$ SELECT floor(extract(epoch FROM at) / 86400)::int $$`);
    // Procedural, not a SQL function: a trigger calls it twice per change, and PL/pgSQL keeps its
    // compiled form (a SQL function of this shape was planned anew each call: 0.3 ms).
    await q(`CREATE TYPE report_key AS (metric text, day date, channel text, assignee text,
               key text, bucket int)`);
    await q(`CREATE FUNCTION hc_report_fact_keys(f report_inquiry_fact) RETURNS report_key[]
             LANGUAGE plpgsql IMMUTABLE AS $$
             DECLARE
               created date := (f.created_at AT TIME ZONE 'UTC')::date;
               counted report_key[] := '{}';
               keys report_key[] := '{}';
               k report_key;
               at timestamptz;
               stay report_stay;
             BEGIN
               IF f.inquiry_id IS NULL THEN RETURN keys; END IF;
               counted := counted || ROW('status', created, f.channel, NULL, f.status, 0)::report_key;
               IF f.verified THEN
                 counted := counted || ROW('milestone', created, f.channel, NULL, 'verified', 0)::report_key;
               END IF;
               IF f.detention_confirmed THEN
                 counted := counted
                   || ROW('milestone', created, f.channel, NULL, 'detention_confirmed', 0)::report_key;
               END IF;
               IF f.travel THEN
                 counted := counted || ROW('milestone', created, f.channel, NULL, 'travel', 0)::report_key;
               END IF;
               IF f.handed_over THEN
                 counted := counted || ROW('milestone', created, f.channel, NULL, 'handed_over', 0)::report_key;
               END IF;
               IF f.first_closed_at IS NOT NULL THEN
                 counted := counted || ROW('closed', (f.first_closed_at AT TIME ZONE 'UTC')::date,
                   f.channel, NULL, '', 0)::report_key;
               END IF;
               FOREACH at IN ARRAY f.callbacks_due LOOP
                 counted := counted
                   || ROW('callback', created, f.channel, NULL, '', hc_report_hour(at))::report_key;
               END LOOP;
               FOREACH at IN ARRAY f.unsigned_since LOOP
                 counted := counted
                   || ROW('unsigned', created, f.channel, NULL, '', hc_report_day_number(at))::report_key;
               END LOOP;
               IF f.first_response_at IS NOT NULL THEN
                 counted := counted || ROW('response', created, f.channel, NULL, '',
                   hc_duration_bucket(extract(epoch FROM f.first_response_at - f.created_at)))::report_key;
               END IF;
               FOREACH stay IN ARRAY f.stays LOOP
                 counted := counted
                   || ROW('stay', stay.day, f.channel, NULL, stay.status, stay.bucket)::report_key;
               END LOOP;
               FOR i IN 1 .. f.mail_failed LOOP
                 counted := counted || ROW('mail_failed', created, f.channel, NULL, '', 0)::report_key;
               END LOOP;
               FOREACH k IN ARRAY counted LOOP
                 k.assignee := '*';
                 keys := keys || k;
                 k.assignee := coalesce(f.assigned_to::text, '');
                 keys := keys || k;
               END LOOP;
               RETURN keys;
             END $$`);
    await q(`CREATE VIEW report_fact_contribution AS
             SELECT f.inquiry_id, f.assigned_to, c.* FROM report_inquiry_fact f
             CROSS JOIN LATERAL unnest(hc_report_fact_keys(f)) c`);
    await q(`CREATE FUNCTION hc_report_triggers_on() RETURNS boolean LANGUAGE sql STABLE AS $$
             SELECT coalesce(current_setting('homecoming.report_triggers', true), '') <> 'off' $$`);

    // A fact row changed: take back what the old row added, add what the new one adds, at both
    // grains, netted per key.
    await q(`CREATE FUNCTION hc_report_fact_changed() RETURNS trigger ${hot} AS $$
             DECLARE old_keys report_key[] := '{}'; new_keys report_key[] := '{}';
             BEGIN
               IF NOT hc_report_triggers_on() THEN RETURN NULL; END IF;
               IF TG_OP <> 'INSERT' THEN old_keys := hc_report_fact_keys(OLD); END IF;
               IF TG_OP <> 'DELETE' THEN new_keys := hc_report_fact_keys(NEW); END IF;
               INSERT INTO report_tally_delta (metric, grain, assignee, day, channel, key, bucket, n)
               SELECT c.metric, g.grain, c.assignee,
                 CASE g.grain WHEN 'd' THEN c.day ELSE date_trunc('month', c.day)::date END,
                 c.channel, c.key, c.bucket, sum(c.n)
               FROM (SELECT r.*, -1 AS n FROM unnest(old_keys) r
                     UNION ALL SELECT r.*, 1 FROM unnest(new_keys) r) c
               CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) g (grain)
               GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(c.n) <> 0;
               RETURN NULL;
             END $$`);
    await q(`CREATE TRIGGER report_fact_changed AFTER INSERT OR UPDATE OR DELETE
             ON report_inquiry_fact FOR EACH ROW EXECUTE FUNCTION hc_report_fact_changed()`);

    // Recompute one case's fact under its row lock. A transaction's changes to one case queue
    // their events one after another (the case, its history, its mail), and the first call, at
    // commit, already sees them all: the last case refreshed is remembered (for the transaction)
    // and not refreshed again straight away. Remembering only the last keeps this constant-time
    // in a transaction that touches many cases, which may refresh a case twice (harmless).
    await q(`CREATE FUNCTION hc_report_refresh(p_inquiry uuid) RETURNS void ${hot} AS $$
             BEGIN
               IF p_inquiry IS NULL OR current_setting('homecoming.report_refreshed', true)
                  IS NOT DISTINCT FROM p_inquiry::text THEN
                 RETURN;
               END IF;
               PERFORM set_config('homecoming.report_refreshed', p_inquiry::text, true);
               PERFORM FROM report_inquiry_fact WHERE inquiry_id = p_inquiry FOR UPDATE;
               -- A new statement: a new snapshot, which sees whoever held the lock before.
               IF NOT EXISTS (SELECT FROM inquiry WHERE id = p_inquiry) THEN
                 DELETE FROM report_inquiry_fact WHERE inquiry_id = p_inquiry;
                 RETURN;
               END IF;
               INSERT INTO report_inquiry_fact AS f
               SELECT * FROM report_fact_source WHERE inquiry_id = p_inquiry
               ON CONFLICT (inquiry_id) DO UPDATE SET
                 created_at = excluded.created_at, channel = excluded.channel,
                 status = excluded.status, assigned_to = excluded.assigned_to,
                 verified = excluded.verified, detention_confirmed = excluded.detention_confirmed,
                 travel = excluded.travel, handed_over = excluded.handed_over,
                 first_closed_at = excluded.first_closed_at,
                 first_response_at = excluded.first_response_at,
                 callbacks_due = excluded.callbacks_due, unsigned_since = excluded.unsigned_since,
                 mail_failed = excluded.mail_failed, stays = excluded.stays
               WHERE (f.*) IS DISTINCT FROM (excluded.*);
             END $$`);
    await q(`CREATE FUNCTION hc_report_touch() RETURNS trigger ${hot} AS $$
             BEGIN
               IF NOT hc_report_triggers_on() THEN RETURN NULL; END IF;
               IF TG_TABLE_NAME = 'inquiry' THEN
                 PERFORM hc_report_refresh(CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END);
               ELSE
                 IF TG_OP <> 'INSERT' THEN PERFORM hc_report_refresh(OLD.inquiry_id); END IF;
                 IF TG_OP <> 'DELETE' THEN PERFORM hc_report_refresh(NEW.inquiry_id); END IF;
               END IF;
               RETURN NULL;
             END $$`);
    const touch = (name: string, events: string, table: string, when = '') =>
      q(`CREATE CONSTRAINT TRIGGER ${name} AFTER ${events} ON ${table}
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW ${when} EXECUTE FUNCTION hc_report_touch()`);
    await touch(
      'report_touch',
      'INSERT OR UPDATE OF status, assigned_to, channel, created_at OR DELETE',
      'inquiry',
    );
    await touch('report_touch', 'INSERT OR UPDATE OR DELETE', 'inquiry_status_history');
    await touch('report_touch', 'INSERT OR UPDATE OR DELETE', 'inquirer_verification');
    await touch('report_touch', 'INSERT OR UPDATE OF occurred_at, inquiry_id OR DELETE', 'call');
    await touch(
      'report_touch',
      'INSERT OR UPDATE OF state, due_at, window_minutes, inquiry_id OR DELETE',
      'callback',
    );
    // Outgoing mail counts when it is the acknowledgement or has failed.
    await touch(
      'report_touch',
      'INSERT',
      'outbox_message',
      `WHEN (NEW.event_type = 'family.acknowledgement' OR NEW.state = 'failed')`,
    );
    await touch(
      'report_touch_update',
      'UPDATE OF state, sent_at, inquiry_id',
      'outbox_message',
      `WHEN (NEW.event_type = 'family.acknowledgement' OR NEW.state = 'failed' OR OLD.state = 'failed')`,
    );
    await touch(
      'report_touch_delete',
      'DELETE',
      'outbox_message',
      `WHEN (OLD.event_type = 'family.acknowledgement' OR OLD.state = 'failed')`,
    );

    // Move the appended changes into the tallies; one folder at a time (another returns 0).
    await q(`CREATE FUNCTION hc_report_fold() RETURNS int ${fn} AS $$
             DECLARE folded int;
             BEGIN
               IF NOT pg_try_advisory_xact_lock(hashtext('homecoming.report_fold')) THEN RETURN 0; END IF;
               WITH moved AS (DELETE FROM report_tally_delta RETURNING *)
               INSERT INTO report_tally AS t (metric, grain, assignee, day, channel, key, bucket, n)
               SELECT metric, grain, assignee, day, channel, key, bucket, sum(n) FROM moved
               GROUP BY 1, 2, 3, 4, 5, 6, 7
               ON CONFLICT (metric, grain, assignee, day, channel, key, bucket)
               DO UPDATE SET n = t.n + excluded.n;
               GET DIAGNOSTICS folded = ROW_COUNT;
               DELETE FROM report_tally WHERE n = 0;
               RETURN folded;
             END $$`);

    // Everything from the source tables, as of now; writers wait meanwhile.
    await q(`CREATE FUNCTION hc_report_rebuild() RETURNS void ${fn} AS $$
             BEGIN
               LOCK TABLE report_inquiry_fact, report_tally, report_tally_delta IN ACCESS EXCLUSIVE MODE;
               PERFORM set_config('homecoming.report_triggers', 'off', true);
               TRUNCATE report_tally_delta, report_tally, report_inquiry_fact;
               INSERT INTO report_inquiry_fact SELECT * FROM report_fact_source;
               WITH days AS (
                 SELECT metric, assignee, day, channel, key, bucket, count(*) AS n
                 FROM report_fact_contribution
                 GROUP BY 1, 2, 3, 4, 5, 6)
               INSERT INTO report_tally (metric, grain, assignee, day, channel, key, bucket, n)
               SELECT * FROM (
                 SELECT metric, 'd'::"char" AS grain, assignee, day, channel, key, bucket, n FROM days
                 UNION ALL
                 SELECT metric, 'm'::"char", assignee, date_trunc('month', day)::date, channel, key, bucket, sum(n)
                 FROM days GROUP BY 1, 2, 3, 4, 5, 6, 7) rows
               -- In key order: a report reads a day's or a month's rows from a few pages.
               ORDER BY metric, grain, assignee, day, channel, key, bucket;
               PERFORM set_config('homecoming.report_triggers', 'on', true);
             END $$`);
    await q(`SELECT hc_report_rebuild()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    for (const [trigger, table] of [
      ['report_touch', 'inquiry'],
      ['report_touch', 'inquiry_status_history'],
      ['report_touch', 'inquirer_verification'],
      ['report_touch', 'call'],
      ['report_touch', 'callback'],
      ['report_touch', 'outbox_message'],
      ['report_touch_update', 'outbox_message'],
      ['report_touch_delete', 'outbox_message'],
    ])
      await q(`DROP TRIGGER ${trigger} ON ${table}`);
    await q(`DROP FUNCTION hc_report_rebuild()`);
    await q(`DROP FUNCTION hc_report_fold()`);
    await q(`DROP FUNCTION hc_report_touch()`);
    await q(`DROP FUNCTION hc_report_refresh(uuid)`);
    await q(`DROP VIEW report_fact_contribution`);
    await q(`DROP FUNCTION hc_report_fact_keys(report_inquiry_fact)`);
    await q(`DROP TYPE report_key`);
    await q(`DROP FUNCTION hc_report_hour(timestamptz)`);
    await q(`DROP FUNCTION hc_report_day_number(timestamptz)`);
    await q(`DROP TABLE report_tally_delta`);
    await q(`DROP TABLE report_tally`);
    await q(`DROP TABLE report_inquiry_fact`);
    await q(`DROP FUNCTION hc_report_fact_changed()`);
    await q(`DROP FUNCTION hc_report_triggers_on()`);
    await q(`DROP VIEW report_fact_source`);
    await q(`DROP TYPE report_stay`);
    await q(`DROP FUNCTION hc_bucket_hours(int)`);
    await q(`DROP FUNCTION hc_duration_bucket(double precision)`);
    await q(`DROP FUNCTION hc_utc_day(timestamptz)`);
    await q(`DROP INDEX inquirer_verification_unsigned_idx`);
  }
}
