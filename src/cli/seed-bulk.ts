import { parseArgs } from 'node:util';
import { listPendingMigrations } from '../database/migrations.util.js';
import { runCommand, withDatabase, type DatabaseContext } from './database-context.js';

// npm run seed:bulk -- --inquiries 1000000 [--batch 50000]
// Realistic made-up cases for load and report work: inquirers, inquiries over the last two years
// on every channel and path through the process, their status histories, calls and
// acknowledgements, verifications and callbacks — written set-based (generate_series), a batch
// per transaction, with the report tallies rebuilt once at the end. Names are "Bulk <n>":
// nothing here is a real person.
const USAGE = 'usage: seed-bulk --inquiries <n> [--batch <n>]';
const out = (line: string) => process.stdout.write(`${line}\n`);

// The paths a case takes (the last status is where it stands), and how often.
const PATHS = [
  "ARRAY['received']",
  "ARRAY['received','gathering_information']",
  "ARRAY['received','gathering_information','verifying']",
  "ARRAY['received','closed_withdrawn']",
  "ARRAY['received','gathering_information','verifying','closed_not_found']",
  "ARRAY['received','gathering_information','verifying','closed_rejected']",
  "ARRAY['received','gathering_information','verifying','detention_confirmed']",
  "ARRAY['received','gathering_information','verifying','detention_confirmed','travel_planning']",
  "ARRAY['received','gathering_information','verifying','detention_confirmed','travel_planning','in_transit']",
  "ARRAY['received','gathering_information','verifying','detention_confirmed','travel_planning','in_transit','handover_scheduled','handed_over']",
  "ARRAY['received','gathering_information','verifying','detention_confirmed','closed_declined_by_prisoner']",
];

const BATCH_SQL = `
  CREATE TEMP TABLE path ON COMMIT DROP AS
  SELECT * FROM (VALUES ${PATHS.map((p, i) => `(${i}, ${p})`).join(', ')}) AS t(k, path);

  CREATE TEMP TABLE seed ON COMMIT DROP AS
  SELECT g, gen_random_uuid() AS inquirer_id, gen_random_uuid() AS inquiry_id,
    gen_random_uuid() AS search_id, path.path,
    (ARRAY['phone','email','web','in_person'])[1 + floor(random() * 4)::int] AS channel,
    now() - random() * interval '730 days' AS created_at,
    nextval('inquiry_reference_seq') AS ref_n,
    (SELECT array_agg(id) FROM staff_user WHERE active AND 'caseworker' = ANY(roles)) AS staff
  -- The path is drawn once per case, in a subquery of its own (random() in a join condition
  -- would be drawn once per pair of rows compared).
  FROM (SELECT g, floor(random() * ${PATHS.length})::int AS k
        FROM generate_series($1::bigint, $2::bigint) g) drawn
  JOIN path ON path.k = drawn.k;

  INSERT INTO inquirer (id, full_name, phones, emails, preferred_language)
  SELECT inquirer_id, 'Bulk ' || g, ARRAY['+7916' || lpad((g % 10000000)::text, 7, '0')],
    ARRAY['bulk' || g || '@seed.invalid'], (ARRAY['ru','uk','en'])[1 + (g % 3)::int]
  FROM seed;

  INSERT INTO search (id, created_at) SELECT search_id, created_at FROM seed;

  INSERT INTO inquiry (id, reference, channel, status, assigned_to, inquirer_id, relationship,
    search_id, created_at, updated_at)
  SELECT inquiry_id,
    'HC-' || extract(year FROM created_at AT TIME ZONE 'UTC')::int || '-'
      || lpad(ref_n::text, greatest(6, length(ref_n::text)), '0'),
    channel, path[array_length(path, 1)],
    CASE WHEN staff IS NULL OR random() < 0.2 THEN NULL
      ELSE staff[1 + floor(random() * array_length(staff, 1))::int] END,
    inquirer_id, 'mother', search_id, created_at, created_at
  FROM seed;

  INSERT INTO sought_person (inquiry_id, surname, given_name, birth_year)
  SELECT inquiry_id, 'Bulk', 'Son ' || g, 1970 + (g % 35)::int FROM seed;

  -- Each stay lasts 10 minutes to 10 days (log-uniform), and a recent case's history is squeezed
  -- so that it ends by now.
  INSERT INTO inquiry_status_history (inquiry_id, status, transition, entered_at, left_at, actor)
  SELECT inquiry_id, status, NULL, created_at + before * scale,
    CASE WHEN n < steps THEN created_at + (before + stay) * scale END, 'system:seed'
  FROM (
    SELECT inquiry_id, created_at, status, n, steps, stay,
      coalesce(sum(stay) OVER (PARTITION BY inquiry_id ORDER BY n
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), interval '0') AS before,
      least(1, extract(epoch FROM now() - created_at)
               / extract(epoch FROM sum(stay) OVER (PARTITION BY inquiry_id))) AS scale
    FROM (SELECT s.inquiry_id, s.created_at, p.status, p.n, array_length(s.path, 1) AS steps,
            interval '10 minutes' * exp(random() * ln(1440)) AS stay
          FROM seed s CROSS JOIN LATERAL unnest(s.path) WITH ORDINALITY AS p(status, n)) drawn
  ) timed;

  -- The family's verification, countersigned by a second caseworker, where the case got past
  -- it, and waiting for the second signature on some of those still verifying.
  INSERT INTO inquirer_verification (inquiry_id, relationship_evidence, method, outcome,
    verified_by, verified_at, countersigned_by, countersigned_at)
  SELECT inquiry_id, 'seed', 'in_person', 'verified', staff[1], created_at + interval '1 day',
    CASE WHEN 'detention_confirmed' = ANY(path) THEN staff[2] END,
    CASE WHEN 'detention_confirmed' = ANY(path) THEN created_at + interval '2 days' END
  FROM seed WHERE array_length(staff, 1) >= 2
    AND ('detention_confirmed' = ANY(path) OR (path[array_length(path, 1)] = 'verifying' AND random() < 0.5));

  -- Callbacks promised on some open cases: most in the future, some overdue.
  INSERT INTO callback (inquiry_id, due_at, window_minutes, created_by)
  SELECT inquiry_id, now() + (random() * 4 - 1) * interval '1 day', 60, staff[1]
  FROM seed WHERE staff IS NOT NULL AND path[array_length(path, 1)] NOT LIKE 'closed\\_%'
    AND path[array_length(path, 1)] <> 'handed_over' AND random() < 0.1;

  INSERT INTO call (inquiry_id, direction, occurred_at, outcome, staff_id)
  SELECT inquiry_id, 'outbound', created_at + random() * interval '2 days', 'answered', staff[1]
  FROM seed WHERE staff IS NOT NULL AND random() < 0.5;

  INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload, state,
    sent_at, created_at, family_stage)
  SELECT 'family.acknowledgement', inquiry_id, 'inquirer', inquirer_id, '{}', 'sent',
    created_at + random() * interval '1 hour', created_at, 'received'
  FROM seed WHERE channel = 'email' OR random() < 0.3;`;

async function seed(context: DatabaseContext, inquiries: number, batch: number): Promise<number> {
  const pending = await listPendingMigrations(context.dataSource);
  if (pending.length > 0) {
    out(`pending migrations (run \`npm run migration:run\` first): ${pending.join(', ')}`);
    return 1;
  }
  const started = performance.now();
  for (let first = 1; first <= inquiries; first += batch) {
    const last = Math.min(inquiries, first + batch - 1);
    const runner = context.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The report tallies are rebuilt once at the end (set-based), not per row by triggers.
      await runner.query(`SET LOCAL homecoming.report_triggers = 'off'`);
      // One statement per query: a multi-statement string cannot take parameters.
      for (const statement of BATCH_SQL.split(';')
        .map((s) => s.trim())
        .filter(Boolean)) {
        await runner.query(statement, statement.includes('$1') ? [first, last] : []);
      }
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
    const seconds = (performance.now() - started) / 1000;
    out(`${last} of ${inquiries} inquiries (${Math.round(last / seconds)} a second)`);
  }
  const rebuilding = performance.now();
  await context.dataSource.query('ANALYZE');
  await context.dataSource.query('SELECT hc_report_rebuild()');
  await context.dataSource.query('ANALYZE');
  out(`report tallies rebuilt in ${((performance.now() - rebuilding) / 1000).toFixed(1)} s`);
  out(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { inquiries: { type: 'string' }, batch: { type: 'string', default: '50000' } },
  });
  const inquiries = Number(values.inquiries);
  const batch = Number(values.batch);
  if (!Number.isInteger(inquiries) || inquiries < 1 || !Number.isInteger(batch) || batch < 1) {
    out(USAGE);
    return 2;
  }
  return withDatabase((context) => seed(context, inquiries, batch));
}

runCommand(main);
