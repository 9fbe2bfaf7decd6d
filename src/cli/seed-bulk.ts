import { parseArgs } from 'node:util';
import { listPendingMigrations } from '../database/migrations.util.js';
import { runCommand, withDatabase, type DatabaseContext } from './database-context.js';

// npm run seed:bulk -- --inquiries 1000000 [--batch 50000]
// Realistic made-up cases for load and report work: inquirers, inquiries over the last two years
// on every channel and path through the process, their status histories, calls and
// acknowledgements — written set-based (generate_series), a batch per transaction. Names are
// "Bulk <n>": nothing here is a real person.
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
  SELECT g, gen_random_uuid() AS inquirer_id, gen_random_uuid() AS inquiry_id, path.path,
    (ARRAY['phone','email','web','in_person'])[1 + floor(random() * 4)::int] AS channel,
    now() - random() * interval '730 days' AS created_at,
    (SELECT array_agg(id) FROM staff_user WHERE active AND 'caseworker' = ANY(roles)) AS staff
  -- The path is drawn once per case, in a subquery of its own (random() in a join condition
  -- would be drawn once per pair of rows compared).
  FROM (SELECT g, floor(random() * ${PATHS.length})::int AS k
        FROM generate_series($1::bigint, $2::bigint) g) drawn
  JOIN path ON path.k = drawn.k;

  INSERT INTO inquirer (id, full_name, relationship, phones, emails, preferred_language)
  SELECT inquirer_id, 'Bulk ' || g, 'mother', ARRAY['+7916' || lpad((g % 10000000)::text, 7, '0')],
    ARRAY['bulk' || g || '@seed.invalid'], (ARRAY['ru','uk','en'])[1 + (g % 3)::int]
  FROM seed;

  INSERT INTO inquiry (id, reference, channel, status, assigned_to, inquirer_id, created_at, updated_at)
  SELECT inquiry_id,
    'HC-' || extract(year FROM created_at AT TIME ZONE 'UTC')::int || '-'
      || lpad(nextval('inquiry_reference_seq')::text, 6, '0'),
    channel, path[array_length(path, 1)],
    CASE WHEN staff IS NULL OR random() < 0.2 THEN NULL
      ELSE staff[1 + floor(random() * array_length(staff, 1))::int] END,
    inquirer_id, created_at, created_at
  FROM seed;

  INSERT INTO sought_person (inquiry_id, surname, given_name, birth_year)
  SELECT inquiry_id, 'Bulk', 'Son ' || g, 1970 + (g % 35)::int FROM seed;

  INSERT INTO inquiry_status_history (inquiry_id, status, transition, entered_at, left_at, actor)
  SELECT s.inquiry_id, p.status, NULL, s.created_at + (p.n - 1) * interval '3 days',
    CASE WHEN p.n < array_length(s.path, 1) THEN s.created_at + p.n * interval '3 days' END,
    'system:seed'
  FROM seed s CROSS JOIN LATERAL unnest(s.path) WITH ORDINALITY AS p(status, n);

  INSERT INTO call (inquiry_id, direction, occurred_at, outcome, staff_id)
  SELECT inquiry_id, 'outbound', created_at + random() * interval '2 days', 'answered', staff[1]
  FROM seed WHERE staff IS NOT NULL AND random() < 0.5;

  INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload, state,
    sent_at, created_at)
  SELECT 'family.acknowledgement', inquiry_id, 'inquirer', inquirer_id, '{}', 'sent',
    created_at + random() * interval '1 hour', created_at
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
  await context.dataSource.query('ANALYZE');
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
