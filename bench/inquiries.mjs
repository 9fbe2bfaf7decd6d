// `npm run bench:inquiries`: what the HTTP API makes of the database's write capacity. Two
// workloads, each measured twice on the same PostgreSQL database:
//   create      (a) pgbench runs the SQL a create runs — inquirer, inquiry, sought person,
//                   status history, the disclosure gate's reads, outbox and audit rows and the
//                   duplicate check, in one transaction;
//               (b) autocannon sends POST /api/inquiries to the built app (dist/).
//   transition  (a) pgbench locks an inquiry FOR UPDATE, flips its status and version, closes
//                   the open history row, inserts the next one, an outbox row and the audit row;
//               (b) autocannon sends POST /api/inquiries/:id/transitions, flipping pre-created
//                   inquiries between gathering_information and on_hold.
// It prints rates, p50/p99 latencies, the HTTP/pgbench ratios and the peak RSS of the app's node
// process. The last line of output is one JSON object. See bench/README.md.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  MAIN,
  ROOT,
  call,
  expectStatus,
  signInStaff,
  chooseServer,
  buildStamp,
  dropDatabase,
  ensureBuilt,
  freePort,
  indent,
  lastLines,
  percentile,
  plain,
  withClient,
} from './lib.mjs';

const SECONDS = Number(process.env.BENCH_INQUIRIES_SECONDS ?? 20);
const WARM_UP_SECONDS = Math.min(3, SECONDS);
const CONNECTIONS = Number(process.env.BENCH_INQUIRIES_CONNECTIONS ?? 16); // HTTP: 16–32
const PGBENCH_CLIENTS = 16;
const PGBENCH_THREADS = 2;
const PRECREATED = 2_000; // inquiries the HTTP transitions cycle through
const PGBENCH_INQUIRIES = 2_000; // the same for pgbench (PGBENCH_CLIENTS × 125, disjoint per client)
const SETUP_CONCURRENCY = 16;
const SETUP_SECONDS = 120; // the pre-creation stops there, so that a slow build cannot run for ever
const READY_TIMEOUT_MS = 60_000;
const RSS_POLL_MS = 200;
const EXIT_TIMEOUT_MS = 30_000;
const BENCH_DATABASE = 'homecoming_bench_inquiries';
const GOALS = { ratio: 0.3, p99Ms: 50, rssMb: 300 };
// Above this, other processes' CPU use during a measured phase makes the figures unreliable.
const BUSY_MACHINE_CORES = 0.25;

// The body the integration tests send (test/support/inquiries.ts), minus the optional extras,
// for a different family each time: its own phone number and email, and one of 30 × 20 × 42
// sought persons. Every create looks for possible duplicates (same phone or email, same surname,
// given name and year of birth); tens of thousands of identical families would make each create
// compare itself with all of them, which is not what real traffic does. pgbench's families
// (same lists, same rule) use +7916…, the HTTP side's +7903….
const SURNAMES = (
  'Петров Иванов Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Фёдоров Морозов ' +
  'Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев ' +
  'Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев'
).split(' ');
const GIVEN_NAMES = (
  'Алексей Андрей Дмитрий Сергей Иван Максим Артём Михаил Николай Павел Владимир Евгений ' +
  'Роман Кирилл Олег Денис Игорь Антон Виктор Юрий'
).split(' ');
const soughtPerson = (n) => ({
  surname: SURNAMES[n % SURNAMES.length],
  givenName: GIVEN_NAMES[Math.floor(n / SURNAMES.length) % GIVEN_NAMES.length],
  birthYear: 1965 + (Math.floor(n / (SURNAMES.length * GIVEN_NAMES.length)) % 42),
});
// The same choice in SQL, from the bigint n.
const SOUGHT_PERSON_SQL = {
  surname: `(ARRAY[${SURNAMES.map((x) => `'${x}'`).join(', ')}])[1 + n % ${SURNAMES.length}]`,
  givenName: `(ARRAY[${GIVEN_NAMES.map((x) => `'${x}'`).join(', ')}])[1 + (n / ${SURNAMES.length}) % ${GIVEN_NAMES.length}]`,
  birthYear: `(1965 + (n / ${SURNAMES.length * GIVEN_NAMES.length}) % 42)::smallint`,
};
let families = 0;
function createBody() {
  families += 1;
  return JSON.stringify({
    channel: 'phone',
    inquirer: {
      fullName: 'Петрова Ольга Ивановна',
      relationship: 'mother',
      phones: [`+7903${String(families).padStart(7, '0')}`],
      emails: [`family${families}@mail.ru`],
      preferredLanguage: 'ru',
      country: 'RU',
    },
    soughtPerson: soughtPerson(families),
  });
}
const HOLD_REASON = 'bench: waiting for documents from the family';

const problems = [];
let interrupted = false;
const running = new Set(); // { stop: () => Promise } of children and load runs, for Ctrl-C
const forever = () => new Promise(() => {}); // parks the main flow once Ctrl-C takes over

// ---------------------------------------------------------------------------------------------
// Where to run: DATABASE_URL's server, else the local PostgreSQL, else an embedded one. A
// scratch database is created there and dropped at the end (audit rows cannot be deleted, so
// the benchmark never writes into a database that outlives it). The app and pgbench use it both.

function urlFor(adminUrl, database) {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// pgbench: the SQL equivalent of each request, one statement per round trip the app makes for
// its rows. Run with -M prepared (variables become parameters, as the app's are). The audit row
// is written with the statement AuditService sends (src/audit/audit.service.ts, APPEND), its
// canonical-JSON fragments built in SQL from the same fields.

function findPgbench() {
  const onPath = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin/pgbench')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin/pgbench') : undefined;
}

// The audit append exactly as AuditService sends it: its APPEND text read from the build being
// measured (a copy below if that fails), $n turned into pgbench variables :a1 … :a14. The values
// the app computes in Node (canonical-JSON fragments, ids) are computed by the statement before
// it in the same round trip that the app spends on that step.
const APPEND_FALLBACK = `
    WITH head AS (
      INSERT INTO audit_stream AS h (stream, last_seq, prev_hash, last_hash, updated_at)
      SELECT $1::text, 1, $2::text, audit_event_hash($2::text, 1, t.at, $3::text, $4::text, $5::text),
        t.at
      FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) t
      ON CONFLICT (stream) DO UPDATE SET (last_seq, prev_hash, last_hash, updated_at) = (
        SELECT h.last_seq + 1, h.last_hash,
          audit_event_hash(h.last_hash, h.last_seq + 1, t.at, $3::text, $4::text, $5::text), t.at
        FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) t
      )
      RETURNING last_seq, prev_hash, last_hash, updated_at
    )
    INSERT INTO audit_event (id, stream, seq, occurred_at, actor, action, entity_type, entity_id,
      inquiry_id, diff, request_id, ip, prev_hash, hash)
    SELECT $6::uuid, $1::text, head.last_seq, head.updated_at, $7::text, $8::text, $9::text,
      $10::text, $11::uuid, $12::jsonb, $13::text, $14::text, head.prev_hash, head.last_hash
    FROM head
    RETURNING seq::text AS seq, occurred_at, prev_hash, hash`;

function appendStatement() {
  let text = APPEND_FALLBACK;
  let source = 'the copy in bench/inquiries.mjs';
  try {
    const built = readFileSync(path.join(ROOT, 'dist/src/audit/audit.service.js'), 'utf8');
    const match = /const APPEND = \{\s*name: '[^']*',\s*text: `([^`]+)`/.exec(built);
    if (match) {
      text = match[1];
      source = 'dist/src/audit/audit.service.js';
    }
  } catch {
    // the copy it is
  }
  const sql = text.trim().replace(/\$(\d+)/g, (_, n) => `:a${n}`);
  return { sql: `${sql.replace(/\s*\n\s*/g, '\n  ')};`, source };
}

// Canonical JSON of the event cut where PostgreSQL splices in time, previous hash and position,
// as canonicalFragments() does (keys in RFC 8785 order). `e` holds inquiry_id, event_id,
// request_id and diff (text).
const FRAGMENTS = `'inquiry:' || e.inquiry_id AS a1,
  '{"action":"' || :a8 || '","actor":"' || :a7 || '","diff":' || e.diff || ',"entity_id":"' || e.inquiry_id
    || '","entity_type":"inquiry","id":"' || e.event_id || '","inquiry_id":"' || e.inquiry_id
    || '","ip":"' || :a14 || '","occurred_at":"' AS a3,
  '","request_id":"' || e.request_id || '","seq":' AS a4,
  ',"stream":"inquiry:' || e.inquiry_id || '"}' AS a5,
  e.event_id AS a6, e.inquiry_id::text AS a10, e.inquiry_id AS a11, e.diff AS a12, e.request_id AS a13`;

// Constant parameters of the append, passed with -D.
function appendDefines(actor, action) {
  return { a2: '0'.repeat(64), a7: actor, a8: action, a9: 'inquiry', a14: '127.0.0.1' };
}

function createScript(personSql, duplicatesSql) {
  return `BEGIN;
SELECT e.reference, e.inquirer_id, e.phone, e.email, e.surname, e.given_name, e.birth_year, ${FRAGMENTS}
FROM (
  SELECT r.*, '+7916' || lpad(r.n::text, 7, '0') AS phone, 'pg' || r.n || '@mail.ru' AS email,
    ${SOUGHT_PERSON_SQL.surname} AS surname, ${SOUGHT_PERSON_SQL.givenName} AS given_name,
    ${SOUGHT_PERSON_SQL.birthYear} AS birth_year, jsonb_build_object('channel', jsonb_build_object('to', 'phone'),
      'priority', jsonb_build_object('to', 'normal'), 'reference', jsonb_build_object('to', r.reference),
      'status', jsonb_build_object('to', 'received'))::text AS diff
  FROM (
    SELECT n, 'HC-' || extract(year FROM now())::int || '-' || lpad(n::text, 6, '0') AS reference,
      gen_random_uuid() AS inquirer_id, gen_random_uuid() AS inquiry_id, gen_random_uuid() AS event_id,
      gen_random_uuid() AS request_id
    FROM (SELECT nextval('inquiry_reference_seq') AS n) seq
  ) r
) e \\gset
${personSql}
${duplicatesSql}
INSERT INTO inquirer (id, full_name, phones, emails, preferred_language, country, city, notes)
  VALUES (:inquirer_id::uuid, 'Петрова Ольга Ивановна', ARRAY[:phone::text], ARRAY[:email::text], 'ru', 'RU', NULL, NULL);
INSERT INTO search (id) VALUES (:a11::uuid);
INSERT INTO inquiry (id, reference, channel, status, priority, inquirer_id, relationship, search_id)
  VALUES (:a11::uuid, :reference::text, 'phone', 'received', 'normal', :inquirer_id::uuid, 'mother', :a11::uuid);
INSERT INTO sought_person (inquiry_id, surname, given_name, birth_year) VALUES (:a11::uuid, :surname::text, :given_name::text, :birth_year::smallint);
INSERT INTO inquiry_status_history (inquiry_id, status, transition, entered_at, left_at, actor, reason)
  VALUES (:a11::uuid, 'received', NULL, now(), NULL, :a7::text, NULL);
${GATE_READS_SQL}
INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload, state, last_error, family_stage)
  VALUES ('family.acknowledgement', :a11::uuid, 'inquirer', :inquirer_id::uuid, '{}'::jsonb, 'pending', NULL, 'received');
${appendStatement().sql}
END;
`;
}

// What the disclosure gate reads before it lets the acknowledgement into the outbox: the case
// and family, the identity facts, the trusted addresses (src/inquiries/inquiry-family-facts.ts,
// src/identity/identity-family-facts.ts, src/disclosure/contact-trust.service.ts, copied: keep it
// in step).
const GATE_READS_SQL = `SELECT i.id AS "inquiryId", i.reference, i.status, r.id AS "inquirerId",
    r.full_name AS "inquirerName", r.preferred_language AS language, r.emails,
    r.undeliverable_emails AS "undeliverableEmails", r.phones,
    r.preferred_channel AS "preferredChannel",
    coalesce(hc_full_name(p.surname, p.given_name, p.patronymic), '') AS "soughtPersonName"
  FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
  LEFT JOIN sought_person p ON p.inquiry_id = i.id
  WHERE i.id = ANY(ARRAY[:a11::uuid]);
SELECT c.id,
    (SELECT v.outcome FROM inquirer_verification v
     WHERE v.inquiry_id = c.id AND v.countersigned_by IS NOT NULL
     ORDER BY v.countersigned_at DESC LIMIT 1) AS verification,
    (SELECT p.decision FROM prisoner_consent p
     JOIN inquiry_match m ON m.inquiry_id = p.inquiry_id AND m.prisoner_id = p.prisoner_id
       AND m.state = 'confirmed'
     WHERE p.inquiry_id = c.id AND p.kind = 'disclosure'
     ORDER BY p.recorded_at DESC LIMIT 1) AS disclosure,
    (SELECT p.decision FROM prisoner_consent p
     JOIN inquiry_match m ON m.inquiry_id = p.inquiry_id AND m.prisoner_id = p.prisoner_id
       AND m.state = 'confirmed'
     WHERE p.inquiry_id = c.id AND p.kind = 'handover'
     ORDER BY p.recorded_at DESC LIMIT 1) AS handover
  FROM unnest(ARRAY[:a11::uuid]) AS c(id);
SELECT inquiry_id, kind, value FROM trusted_contact WHERE inquiry_id = ANY(ARRAY[:a11::uuid]);`;

// Which person the caller is: the app's own statement (SHARING in src/people/
// person-resolution.ts, from the build); its names are compared only for persons it finds, and a
// new family finds none.
async function personStatement() {
  const built = path.join(ROOT, 'dist/src/people/person-resolution.js');
  const { SHARING } = await import(built);
  return `${SHARING.text
    .trim()
    .replace(/\$1::text\[\]/g, 'ARRAY[:phone::text]')
    .replace(/\$2::text\[\]/g, 'ARRAY[:email::text]')};`;
}

// The create's look for possible duplicates by the man sought: the app builds it for the values
// being created (candidatesForNew in src/inquiries/inquiry-duplicates.service.ts) and runs it in
// the create's one statement, which does not see the rows it inserts. PROPOSED_CANDIDATES is the
// same builder's statement on its own (the intake form's check), from the build; run here before
// the inserts, so that it sees what the app's does.
async function duplicatesStatement() {
  const built = path.join(ROOT, 'dist/src/inquiries/inquiry-duplicates.service.js');
  const { PROPOSED_CANDIDATES } = await import(built);
  const values = [
    'ARRAY[:phone::text]',
    'ARRAY[:email::text]',
    ':surname::text',
    ':given_name::text',
    ':birth_year::smallint',
    'NULL',
    'NULL',
  ];
  return `${PROPOSED_CANDIDATES.trim().replace(/\$([1-7])\b/g, (_, n) => values[n - 1])};`;
}

// Client c (0-based) only touches picks c+1, c+1+CLIENTS, …: no two clients wait for one row,
// as no two HTTP connections ever send the same inquiry at once. One transition holds the
// inquiry (reason required), the next resumes it, like the HTTP side.
function transitionScript() {
  const perClient = Math.floor(PGBENCH_INQUIRIES / PGBENCH_CLIENTS);
  return `\\set k 1 + :client_id + ${PGBENCH_CLIENTS} * random(0, ${perClient - 1})
BEGIN;
SELECT i.id AS inquiry_id, i.status AS from_status, i.version
  FROM inquiry i WHERE i.id = (SELECT id FROM bench_pick WHERE k = :k) FOR UPDATE OF i \\gset
WITH u AS (
  UPDATE inquiry SET status = CASE WHEN status = 'on_hold' THEN previous_status ELSE 'on_hold' END,
      previous_status = CASE WHEN status = 'on_hold' THEN NULL ELSE status END,
      version = version + 1, updated_at = now()
    WHERE id = :inquiry_id::uuid
    RETURNING id AS inquiry_id, status AS to_status, reference, inquirer_id
), t AS (
  SELECT u.*, CASE WHEN to_status = 'on_hold' THEN 'hold' ELSE 'resume' END AS transition,
    CASE WHEN to_status = 'on_hold' THEN '${HOLD_REASON}' END AS reason,
    gen_random_uuid() AS event_id, gen_random_uuid() AS request_id
  FROM u
), e AS (
  SELECT t.*, jsonb_build_object(
      'notifications', jsonb_build_object('to', jsonb_build_array('family.information_requested')),
      'reason', jsonb_build_object('to', t.reason),
      'status', jsonb_build_object('from', :from_status::text, 'to', t.to_status),
      'transition', jsonb_build_object('to', t.transition))::text AS diff
  FROM t
)
SELECT e.to_status, e.transition, e.reason, e.reference, e.inquirer_id, ${FRAGMENTS}
FROM e \\gset
UPDATE inquiry_status_history SET left_at = now() WHERE inquiry_id = :a11::uuid AND left_at IS NULL;
INSERT INTO inquiry_status_history (inquiry_id, status, transition, entered_at, actor, reason)
  VALUES (:a11::uuid, :to_status::text, :transition::text, now(), :a7::text, NULLIF(:reason::text, ''));
INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload, family_stage)
  VALUES ('family.information_requested', :a11::uuid, 'inquirer', :inquirer_id::uuid,
    jsonb_build_object('reference', :reference::text, 'status', :to_status::text, 'transition', :transition::text),
    'in_progress');
${appendStatement().sql}
END;
`;
}

// Runs pgbench for `seconds`; per-transaction latencies come from its log (-l).
async function runPgbench({ pgbench, url, script, defines, folder, label, seconds, meter }) {
  const prefix = path.join(folder, `pgbench-${label}`);
  const args = [
    '-n',
    '-f',
    script,
    '-c',
    String(PGBENCH_CLIENTS),
    '-j',
    String(PGBENCH_THREADS),
    '-T',
    String(seconds),
    '-M',
    'prepared',
    '-l',
    `--log-prefix=${prefix}`,
    ...Object.entries(defines).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
  ];
  // The password goes through the environment, not the command line.
  const target = new URL(url);
  // The app's sessions plan its named statements generically (src/database/
  // data-source-options.ts): pgbench's prepared statements are planned the same way.
  const env = { ...process.env, PGOPTIONS: '-c plan_cache_mode=force_generic_plan' };
  if (target.password) env.PGPASSWORD = decodeURIComponent(target.password);
  target.password = '';
  args.push(target.toString());
  const child = spawn(pgbench, args, { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exited = new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, error }));
  });
  const handle = {
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
  running.add(handle);
  const stopMeter = meter?.({ loadPid: () => child.pid, seconds });
  const exit = await exited;
  const cpu = stopMeter?.();
  running.delete(handle);
  if (interrupted) await forever();

  const latencies = [];
  for (const name of await readdir(folder)) {
    if (!name.startsWith(`pgbench-${label}.`)) continue;
    const text = await readFile(path.join(folder, name), 'utf8');
    await rm(path.join(folder, name), { force: true });
    for (const line of text.split('\n')) {
      const us = Number(line.split(' ')[2]); // client_id transaction_no time(µs) script_no …
      if (Number.isFinite(us) && line) latencies.push(us / 1_000);
    }
  }
  const number = (re) => {
    const match = re.exec(out);
    return match ? Number(match[1]) : undefined;
  };
  const result = {
    tps: number(/^tps = ([\d.]+) \(without initial connection time\)/m),
    processed: number(/^number of transactions actually processed: (\d+)/m),
    failed: number(/^number of failed transactions: (\d+)/m) ?? 0,
    latencies,
    output: out,
    cpu,
  };
  const aborted = /aborted|error/i.test(out);
  if (exit.error || exit.code !== 0 || result.tps === undefined || aborted) {
    result.error = exit.error
      ? `could not run ${pgbench}: ${exit.error.message}`
      : `pgbench exited with ${exit.signal ?? `code ${exit.code}`}: ${lastLines(out, 6)}`;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The app.

// The gist of a pino line: its message and error, not the request headers.
function logLine(line) {
  try {
    const entry = JSON.parse(line);
    const error = entry.err ? ` — ${entry.err.type ?? 'Error'}: ${entry.err.message}` : '';
    return `${entry.level} ${entry.msg ?? ''}${error}`.slice(0, 600);
  } catch {
    return line.slice(0, 300);
  }
}

function startApp({ folder, databaseUrl, port, adminEmail, adminPassword }) {
  const env = { ...process.env };
  delete env.EMBEDDED_PG_DIR;
  delete env.EMBEDDED_PG_PORT;
  Object.assign(env, {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    // A throwaway key: DATABASE_URL requires one, and the scratch database is dropped at the end.
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
    TOTP_REQUIRED_ROLES: 'none',
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    // The API alone, as on an API replica: sending the acknowledgements each create queues is
    // bench:mail's subject (with the sender on, this process would also write 500 .eml files
    // a second).
    ROLE: 'api',
  });
  const child = spawn(process.execPath, [MAIN], {
    cwd: folder, // no .env is read
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tail(16_384);
  child.stdout.on('data', output.push);
  child.stderr.on('data', output.push);
  let gone;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve((gone = { code, signal })));
    child.once('error', (error) => resolve((gone = { code: null, error })));
  });
  // Peak memory of the node process: VmHWM is the kernel's high-water mark of VmRSS; the
  // polled VmRSS also gives the phase in which it was reached.
  const memory = { readyMb: undefined, peakRssMb: 0, hwmMb: 0, byPhase: {} };
  let phase = 'start';
  const poll = setInterval(() => {
    const m = readMemory(child.pid);
    if (!m) return;
    memory.peakRssMb = Math.max(memory.peakRssMb, m.rssMb);
    memory.hwmMb = Math.max(memory.hwmMb, m.hwmMb);
    memory.byPhase[phase] = Math.max(memory.byPhase[phase] ?? 0, m.rssMb);
  }, RSS_POLL_MS);
  poll.unref();

  const app = {
    child,
    exited,
    output,
    memory,
    gone: () => gone,
    setPhase: (name) => (phase = name),
    stop: async () => {
      clearInterval(poll);
      const last = readMemory(child.pid);
      if (last) memory.hwmMb = Math.max(memory.hwmMb, last.hwmMb);
      if (gone) return gone;
      child.kill('SIGTERM');
      const exit = await withTimeout(exited, EXIT_TIMEOUT_MS);
      if (!exit) {
        child.kill('SIGKILL');
        await exited;
        problems.push(`the app did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM (killed)`);
      }
      await withTimeout(new Promise((resolve) => child.once('close', resolve)), 500);
      return gone;
    },
  };
  return app;
}

function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    if (!Number.isFinite(rss)) return undefined;
    return { rssMb: rss / 1024, hwmMb: (Number.isFinite(hwm) ? hwm : rss) / 1024 };
  } catch {
    return undefined;
  }
}

async function waitReady(base, app) {
  const started = performance.now();
  for (;;) {
    const gone = app.gone();
    if (gone) {
      throw new Error(
        `the app exited before ready (${gone.error?.message ?? gone.signal ?? `code ${gone.code}`})` +
          `:\n${indent(lastLines(app.output.text()))}`,
      );
    }
    const status = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.arrayBuffer().then(() => r.status),
      () => null,
    );
    if (status === 200) return performance.now() - started;
    if (performance.now() - started > READY_TIMEOUT_MS) {
      throw new Error(`the app was not ready within ${READY_TIMEOUT_MS} ms`);
    }
    await sleep(50);
  }
}

// SETUP_CONCURRENCY requests at a time, for at most `seconds`; not measured. Returns the
// failures (it gives up after 20).
async function inParallel(count, seconds, fn) {
  const deadline = performance.now() + seconds * 1_000;
  const failures = { count: 0, first: undefined };
  let next = 0;
  const worker = async () => {
    while (next < count && !interrupted && performance.now() < deadline && failures.count < 20) {
      const i = next++;
      try {
        await fn(i);
      } catch (error) {
        failures.count += 1;
        failures.first ??= error.message;
      }
    }
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
  if (interrupted) await forever();
  return failures;
}

// ---------------------------------------------------------------------------------------------
// HTTP load: autocannon, in this process. Latencies are taken from its 'response' event (float
// ms; its own histogram rounds to whole ms) for 2xx answers; everything else is an error.

async function runHttp({ url, session, seconds, requests, method, body, meter }) {
  const latencies = [];
  const statuses = {};
  let firstError;
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    method,
    headers: { 'content-type': 'application/json', ...session.headers },
    body,
    requests,
  });
  const handle = {
    stop: async () => {
      instance.stop();
      await done.catch(() => undefined);
    },
  };
  const done = new Promise((resolve, reject) => {
    instance.once('done', resolve);
    instance.once('error', reject);
  });
  running.add(handle);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  instance.on('reqError', (error) => {
    firstError ??= `request error: ${error.message}`;
  });
  const stopMeter = meter?.({ loadPid: () => process.pid, seconds });
  const result = await done;
  const cpu = stopMeter?.();
  running.delete(handle);
  if (interrupted) await forever();
  const ok = latencies.length;
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    perS: ok / result.duration,
    ok,
    errors,
    statuses,
    timeouts: result.timeouts,
    latencies,
    durationS: result.duration,
    firstError,
    cpu,
  };
}

function skippedHttp(message) {
  console.log(`  ${message}`);
  return { perS: NaN, ok: 0, errors: 0, statuses: {}, latencies: [], durationS: 0 };
}

function createRequests(firstErrorBody) {
  return [
    {
      method: 'POST',
      path: '/api/inquiries',
      setupRequest: (request) => {
        request.body = createBody();
        return request;
      },
      onResponse: (status, text) => {
        if (status !== 201) firstErrorBody.text ??= `${status} ${text.slice(0, 300)}`;
      },
    },
  ];
}

// A shared queue of idle inquiries: each request takes one, and its answer puts it back with
// the new version, so that no two connections ever hold the same inquiry and no version is
// stale. One flip goes gathering_information → on_hold (hold, reason required), the next back
// (resume).
function transitionRequests(idle, firstErrorBody) {
  return [
    {
      method: 'POST',
      setupRequest: (request) => {
        const inquiry = idle.shift();
        if (!inquiry) throw new Error('no idle inquiry left');
        const hold = inquiry.status === 'gathering_information';
        request.path = `/api/inquiries/${inquiry.id}/transitions`;
        request.body = JSON.stringify(
          hold
            ? { to: 'on_hold', version: inquiry.version, reason: HOLD_REASON }
            : { to: 'gathering_information', version: inquiry.version },
        );
        return request;
      },
      onResponse: (status, text) => {
        if (status === 200) {
          const { id, version, status: state } = JSON.parse(text);
          idle.push({ id, version, status: state });
        } else {
          firstErrorBody.text ??= `${status} ${text.slice(0, 300)}`;
        }
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Where the CPU goes during a measured phase: the app's node process, the load generator
// (pgbench, or this process running autocannon), the PostgreSQL processes serving the scratch
// database plus the server's background processes (when the server is on this machine), and
// everything else on the machine — other work that makes the figures unreliable. Sampled from
// /proc over the middle of the phase (1 s in, 1 s before its end), so that short-lived
// connections are alive at both ends. In cores: 1.0 is one CPU busy all the time.

const TICKS_PER_S = 100; // USER_HZ on Linux

function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

function machineBusyTicks() {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
    return user + nice + system + irq + softirq + (steal || 0);
  } catch {
    return undefined;
  }
}

// monitor: a pg.Client on the scratch database. Returns stop() → the split, or undefined.
function cpuWindow({ monitor, appPid, loadPid, seconds }) {
  const edge = Math.min(1_000, seconds * 100);
  let first;
  let pgPids = [];
  const snapshot = () => {
    const pg = pgPids.map(processTicks);
    return {
      at: performance.now(),
      machine: machineBusyTicks(),
      app: processTicks(appPid),
      load: processTicks(loadPid()),
      pg: new Map(pgPids.map((pid, i) => [pid, pg[i]])),
    };
  };
  const startTimer = setTimeout(async () => {
    try {
      const { rows } = await monitor.query(
        `SELECT pid FROM pg_stat_activity
         WHERE (datname = current_database() OR backend_type <> 'client backend')
           AND pid <> pg_backend_pid()`,
      );
      pgPids = rows.map((r) => r.pid);
    } catch {
      pgPids = [];
    }
    first = snapshot();
  }, edge);
  let last;
  const endTimer = setTimeout(() => (last = snapshot()), seconds * 1_000 - edge);
  return () => {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    if (!first || !last || first.machine === undefined) return undefined;
    const s = (last.at - first.at) / 1_000;
    const cores = (a, b) => (a === undefined || b === undefined ? 0 : (b - a) / TICKS_PER_S / s);
    let pg = 0;
    for (const [pid, ticks] of first.pg) pg += cores(ticks, last.pg.get(pid));
    const app = cores(first.app, last.app);
    const load = cores(first.load, last.load);
    const machine = cores(first.machine, last.machine);
    return { app, load, pg, other: Math.max(0, machine - app - load - pg), machine };
  };
}

const describeCpu = (c) =>
  c
    ? `    CPU (cores of ${os.cpus().length}): app ${round2(c.app)}, load generator ${round2(c.load)}, ` +
      `PostgreSQL ${round2(c.pg)}, everything else ${round2(c.other)}`
    : '    CPU: not measured';

// ---------------------------------------------------------------------------------------------
// Helpers.

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
  ]).finally(() => clearTimeout(timer));
}

function tail(limit) {
  let text = '';
  return {
    push: (chunk) => {
      text += chunk.toString();
      if (text.length > limit) text = text.slice(-limit);
    },
    text: () => text,
  };
}

const round1 = (v) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
const round2 = (v) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null);
const whole = (v) => (Number.isFinite(v) ? Math.round(v) : null);

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function describeHttp(label, r) {
  const statuses = Object.entries(r.statuses)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  return (
    `  ${label.padEnd(22)} ${whole(r.perS)} req/s (2xx), p50 ${round1(percentile(r.latencies, 50))} ms, ` +
    `p99 ${round1(percentile(r.latencies, 99))} ms; ${r.ok} ok in ${r.durationS} s` +
    (r.errors
      ? `; ERRORS ${r.errors} (${statuses || 'no answer'}${r.timeouts ? `, ${r.timeouts} timeouts` : ''})`
      : '') +
    `\n${describeCpu(r.cpu)}`
  );
}

function describePgbench(label, r) {
  if (r.error) return `  ${label.padEnd(22)} FAILED — ${r.error}`;
  return (
    `  ${label.padEnd(22)} ${whole(r.tps)} tx/s, p50 ${round1(percentile(r.latencies, 50))} ms, ` +
    `p99 ${round1(percentile(r.latencies, 99))} ms; ${r.processed} transactions` +
    (r.failed ? `; ${r.failed} FAILED` : '') +
    `\n${describeCpu(r.cpu)}`
  );
}

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureBuilt();
  const stampAtStart = buildStamp();
  const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-inquiries-'));
  await chmod(folder, 0o755); // as root an embedded server runs as `postgres`, which must enter
  let server;
  let app;
  let monitor;
  let databaseCreated = false;

  const cleanup = async () => {
    await app?.stop().catch(() => undefined);
    await monitor?.end().catch(() => undefined);
    if (server && databaseCreated) {
      await withClient(server.adminUrl, (admin) => dropDatabase(admin, BENCH_DATABASE)).catch(
        (error) => problems.push(`could not drop ${BENCH_DATABASE}: ${error.message}`),
      );
    }
    await server?.stop?.().catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    interrupted = true;
    console.log('\ninterrupted: stopping the load, the app, and cleaning up…');
    void Promise.allSettled([...running].map((r) => r.stop()))
      .then(cleanup)
      .finally(() => process.exit(130));
  });

  try {
    const pgbench = findPgbench();
    server = await chooseServer(folder);
    await withClient(server.adminUrl, async (admin) => {
      await dropDatabase(admin, BENCH_DATABASE);
      await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    });
    databaseCreated = true;
    const databaseUrl = urlFor(server.adminUrl, BENCH_DATABASE);
    monitor = new pg.Client({ connectionString: databaseUrl });
    await monitor.connect();
    const version = await withClient(databaseUrl, async (c) => {
      const { rows } = await c.query('SHOW server_version');
      return rows[0].server_version;
    });

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const adminEmail = 'admin@bench.test';
    const adminPassword = `bench-${randomBytes(12).toString('base64url')}`;
    app = startApp({ folder, databaseUrl, port, adminEmail, adminPassword });
    const readyMs = await waitReady(base, app); // migrations applied
    if (interrupted) await forever();
    app.memory.readyMb = readMemory(app.child.pid)?.rssMb;

    console.log(
      `inquiries benchmark: node ${process.version}, ${os.cpus().length} CPU(s); PostgreSQL ` +
        `${version} (${server.source}, scratch database ${BENCH_DATABASE}: ${redact(databaseUrl)})`,
    );
    console.log(
      `app: node dist/src/main.js in ${folder}, ready in ${Math.round(readyMs)} ms, pid ` +
        `${app.child.pid}; DATABASE_POOL_SIZE ${process.env.DATABASE_POOL_SIZE ?? 'default'}`,
    );
    console.log(
      `load: autocannon ${CONNECTIONS} connections vs pgbench -c ${PGBENCH_CLIENTS} ` +
        `-j ${PGBENCH_THREADS} -M prepared; ${WARM_UP_SECONDS} s warm-up + ${SECONDS} s measured ` +
        `per phase; pgbench: ${pgbench ?? 'NOT FOUND'}, its audit append from ` +
        `${appendStatement().source}\n`,
    );
    if (!pgbench) {
      problems.push(
        'pgbench not found (PATH, /usr/lib/postgresql/*/bin): on Debian `apt-get install ' +
          'postgresql-client-15` (or the client of your server version); the pgbench halves were skipped',
      );
    }

    const { session, staffId } = await signInStaff(base, adminEmail, adminPassword);
    const actor = staffId ?? randomUUID();
    await writeFile(
      path.join(folder, 'create.sql'),
      createScript(await personStatement(), await duplicatesStatement()),
    );
    await writeFile(path.join(folder, 'transition.sql'), transitionScript());

    const meter = (options) => cpuWindow({ monitor, appPid: app.child.pid, ...options });
    // Fresh planner statistics before every measured phase: the tables start empty and grow by
    // tens of thousands of rows a minute, faster than autovacuum's analyze follows, and plans
    // made for empty tables (the duplicate check's above all) are not what a database in
    // service runs.
    const analyze = () => monitor.query('ANALYZE');
    const pgbenchPhase = async (label, script, action) => {
      if (!pgbench) return undefined;
      app.setPhase(`pgbench ${label}`);
      const options = {
        pgbench,
        url: databaseUrl,
        script: path.join(folder, script),
        defines: appendDefines(actor, action),
        folder,
      };
      const warm = await runPgbench({
        ...options,
        label: `${label}-warm`,
        seconds: WARM_UP_SECONDS,
      });
      if (warm.error) {
        console.log(describePgbench(`pgbench ${label}`, warm));
        problems.push(`pgbench ${label} warm-up: ${warm.error}`);
        return warm;
      }
      await analyze();
      const result = await runPgbench({ ...options, label, seconds: SECONDS, meter });
      console.log(describePgbench(`pgbench ${label}`, result));
      if (result.error) problems.push(`pgbench ${label}: ${result.error}`);
      else if (result.failed)
        problems.push(`pgbench ${label}: ${result.failed} failed transactions`);
      return result;
    };
    const httpPhase = async (label, options) => {
      const firstErrorBody = {};
      app.setPhase(`http ${label} warm-up`);
      const warm = await runHttp({
        ...options,
        requests: options.requests(firstErrorBody),
        seconds: WARM_UP_SECONDS,
      });
      await analyze();
      app.setPhase(`http ${label}`);
      const result = await runHttp({
        ...options,
        requests: options.requests(firstErrorBody),
        seconds: SECONDS,
        meter,
      });
      console.log(describeHttp(`HTTP ${label}`, result));
      const errors = warm.errors + result.errors;
      if (errors > 0) {
        const first = firstErrorBody.text ?? warm.firstError ?? result.firstError ?? 'no answer';
        problems.push(
          `HTTP ${label}: ${errors} requests failed (not a valid figure); first: ${first}`,
        );
      }
      if (app.gone()) throw new Error(`the app exited during HTTP ${label}`);
      return result;
    };

    // Create.
    console.log(
      'create (inquirer, inquiry, sought person, history, outbox, audit, duplicate check):',
    );
    const createPg = await pgbenchPhase('create', 'create.sql', 'inquiry.create');
    const createHttp = await httpPhase('create', {
      url: base,
      session,
      requests: createRequests,
    });

    // Transition: first the inquiries each side cycles through.
    app.setPhase('setup');
    const setupStarted = performance.now();
    const idle = [];
    const setupFailures = await inParallel(PRECREATED, SETUP_SECONDS, async () => {
      const created = await expectStatus(
        call(base, 'POST', '/api/inquiries', { session, body: JSON.parse(createBody()) }),
        201,
        'pre-creating an inquiry',
      );
      const { id, version } = created.json.inquiry;
      const triaged = await expectStatus(
        call(base, 'POST', `/api/inquiries/${id}/transitions`, {
          session,
          body: { to: 'gathering_information', version },
        }),
        200,
        'triaging a pre-created inquiry',
      );
      idle.push({ id, version: triaged.json.version, status: triaged.json.status });
    });
    if (pgbench) {
      // pgbench's own inquiries: its create phase ran first, so the oldest references still in
      // `received` are its rows (the HTTP side's pre-created ones are in gathering_information).
      const picked = await withClient(databaseUrl, async (c) => {
        await c.query(
          `CREATE TABLE bench_pick AS
             SELECT row_number() OVER (ORDER BY created_at, reference)::int AS k, id FROM inquiry
             WHERE status = 'received' ORDER BY created_at, reference LIMIT ${PGBENCH_INQUIRIES}`,
        );
        await c.query('ALTER TABLE bench_pick ADD PRIMARY KEY (k)');
        const { rows } = await c.query('SELECT count(*)::int AS n FROM bench_pick');
        return rows[0].n;
      });
      if (picked < PGBENCH_INQUIRIES) {
        throw new Error(
          `only ${picked} inquiries for the pgbench transitions (${PGBENCH_INQUIRIES} needed)`,
        );
      }
    }
    const setupS = Math.round((performance.now() - setupStarted) / 100) / 10;
    if (idle.length < PRECREATED) {
      problems.push(
        `set-up: only ${idle.length} of ${PRECREATED} inquiries created and triaged within ` +
          `${SETUP_SECONDS} s (the HTTP transitions cycle through those)` +
          (setupFailures.count
            ? `; ${setupFailures.count} failed, first: ${setupFailures.first}`
            : ''),
      );
    }
    console.log(
      `\ntransition (lock, status/version, close + insert history, outbox, audit); set-up: ` +
        `${idle.length} inquiries created and triaged over HTTP in ${setupS} s:`,
    );
    const transitionPg = await pgbenchPhase('transition', 'transition.sql', 'inquiry.transition');
    const transitionHttp =
      idle.length >= CONNECTIONS * 4
        ? await httpPhase('transition', {
            url: base,
            session,
            requests: (firstErrorBody) => transitionRequests(idle, firstErrorBody),
          })
        : skippedHttp('HTTP transition: skipped, too few inquiries to cycle through');

    // Summary.
    await app.stop();
    const exit = app.gone();
    if (exit && exit.code !== 0) {
      problems.push(`the app exited with ${exit.signal ?? `code ${exit.code}`} after SIGTERM`);
    }
    const logged = plain(app.output.text()).trim();
    if (logged) {
      const lines = logged.split('\n');
      problems.push(
        `the app wrote ${lines.length} line(s) at LOG_LEVEL=warn, the first: ${logLine(lines[0])}`,
      );
    }
    const rssPeak = Math.max(app.memory.hwmMb, app.memory.peakRssMb);
    const ok = (r) => r && !r.error;
    const perUnit = (cores, rate) => (cores === undefined ? NaN : (cores * 1_000) / rate);
    const side = (httpResult, pgResult) => ({
      httpPerS: httpResult.perS,
      p50: percentile(httpResult.latencies, 50),
      p99: percentile(httpResult.latencies, 99),
      pgTps: ok(pgResult) ? pgResult.tps : NaN,
      pgP50: ok(pgResult) ? percentile(pgResult.latencies, 50) : NaN,
      pgP99: ok(pgResult) ? percentile(pgResult.latencies, 99) : NaN,
      errors: httpResult.errors,
      // CPU milliseconds per request / per pgbench transaction.
      appCpuMs: perUnit(httpResult.cpu?.app, httpResult.perS),
      httpPgCpuMs: perUnit(httpResult.cpu?.pg, httpResult.perS),
      pgbenchPgCpuMs: ok(pgResult) ? perUnit(pgResult.cpu?.pg, pgResult.tps) : NaN,
    });
    const create = side(createHttp, createPg);
    const transition = side(transitionHttp, transitionPg);
    create.ratio = create.httpPerS / create.pgTps;
    transition.ratio = transition.httpPerS / transition.pgTps;
    const measured = [createPg, createHttp, transitionPg, transitionHttp].filter((r) => r?.cpu);
    const otherMax = measured.length ? Math.max(...measured.map((r) => r.cpu.other)) : NaN;

    const json = {
      bench: 'inquiries',
      create_http_per_s: whole(create.httpPerS),
      create_pgbench_tps: whole(create.pgTps),
      create_ratio: round2(create.ratio),
      create_p50_ms: round1(create.p50),
      create_p99_ms: round1(create.p99),
      create_pgbench_p50_ms: round1(create.pgP50),
      create_pgbench_p99_ms: round1(create.pgP99),
      create_http_errors_count: create.errors,
      transition_http_per_s: whole(transition.httpPerS),
      transition_pgbench_tps: whole(transition.pgTps),
      transition_ratio: round2(transition.ratio),
      transition_p50_ms: round1(transition.p50),
      transition_p99_ms: round1(transition.p99),
      transition_pgbench_p50_ms: round1(transition.pgP50),
      transition_pgbench_p99_ms: round1(transition.pgP99),
      transition_http_errors_count: transition.errors,
      rss_peak_mb: round1(rssPeak),
      rss_ready_mb: round1(app.memory.readyMb),
      create_app_cpu_ms_per_req: round2(create.appCpuMs),
      create_http_pg_cpu_ms_per_req: round2(create.httpPgCpuMs),
      create_pgbench_pg_cpu_ms_per_tx: round2(create.pgbenchPgCpuMs),
      transition_app_cpu_ms_per_req: round2(transition.appCpuMs),
      transition_http_pg_cpu_ms_per_req: round2(transition.httpPgCpuMs),
      transition_pgbench_pg_cpu_ms_per_tx: round2(transition.pgbenchPgCpuMs),
      other_cpu_max_cores: round2(otherMax),
      http_connections: CONNECTIONS,
      pgbench_clients: PGBENCH_CLIENTS,
      seconds_per_phase: SECONDS,
      cpus: os.cpus().length,
    };
    const mark = (good) => (good ? 'ok ' : 'MISS');
    console.log('\nsummary (goals: ratio ≥ 0.30, HTTP p99 ≤ 50 ms, RSS ≤ 300 MB):');
    for (const [name, x] of [
      ['create', create],
      ['transition', transition],
    ]) {
      console.log(
        `  ${name.padEnd(10)} HTTP ${whole(x.httpPerS)}/s vs pgbench ${whole(x.pgTps)} tx/s: ` +
          `ratio ${round2(x.ratio)} [${mark(x.ratio >= GOALS.ratio)}]; HTTP p50 ${round1(x.p50)} ms, ` +
          `p99 ${round1(x.p99)} ms [${mark(x.p99 <= GOALS.p99Ms)}] (pgbench p50 ${round1(x.pgP50)}, ` +
          `p99 ${round1(x.pgP99)} ms)\n` +
          `             CPU per request: app ${round2(x.appCpuMs)} ms + PostgreSQL ` +
          `${round2(x.httpPgCpuMs)} ms; per pgbench transaction: PostgreSQL ${round2(x.pgbenchPgCpuMs)} ms`,
      );
    }
    const phases = Object.entries(app.memory.byPhase)
      .map(([phase, v]) => `${phase} ${round1(v)}`)
      .join(', ');
    console.log(
      `  RSS        peak ${round1(rssPeak)} MB [${mark(rssPeak <= GOALS.rssMb)}] (VmHWM of the app's ` +
        `node process; at ready ${round1(app.memory.readyMb)} MB; highest VmRSS seen per phase: ` +
        `${phases})`,
    );
    console.log(
      '  note: hold/resume write no outbox row in the app; the pgbench transition writes one, as\n' +
        '  the issue specifies (see bench/README.md)',
    );
    if (otherMax > BUSY_MACHINE_CORES) {
      console.log(
        `\nWARNING: other work on this machine used up to ${round2(otherMax)} cores during a ` +
          'measured phase (see "everything else" above): the figures are not reliable. Run it again ' +
          'on a quiet machine.',
      );
    }

    await cleanup();
    if (buildStamp() !== stampAtStart) {
      problems.push('dist/ was rebuilt while the benchmark ran: the figures may mix two builds');
    }
    json.failures_count = problems.length;
    if (problems.length > 0) {
      console.log(`\nproblems (${problems.length}):`);
      for (const p of problems) console.log(`  - ${p}`);
    }
    console.log(JSON.stringify(json));
    if (problems.length > 0) process.exitCode = 1;
  } catch (error) {
    if (interrupted) await forever();
    await app?.stop().catch(() => undefined); // the app's log is buffered until it exits
    const logged = app ? lastLines(app.output.text(), 10) : '';
    if (logged) console.log(`last output of the app:\n${indent(logged)}`);
    await cleanup().catch(() => undefined);
    throw error;
  }
}

await main();
