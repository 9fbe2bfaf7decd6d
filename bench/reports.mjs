// `npm run bench:reports`: the reports at 1,000,000 cases.
//   seed: `seed:bulk --inquiries N` (10 caseworkers) into a scratch database, with the report
//         tallies rebuilt at its end (BENCH_REPORTS_REUSE=1 keeps a database already seeded with
//         N cases and skips this; BENCH_REPORTS_KEEP=1 keeps the database afterwards).
//   reports: every report through the API (the built app as its own process, a supervisor's
//         session), 2 warm-up and 20 measured requests each, one at a time, under three
//         filters: none; a channel and 180 days that cut months at both ends; one caseworker
//         (read from that caseworker's cases, not the tallies).
//   baseline: the status report computed from the cases (GROUP BY over inquiry) on a direct
//         connection, the way the first version did, 5 times; and GET /health/live through the
//         same HTTP client, 20 times.
//   export: GET /api/reports/export/inquiries, every case as CSV, read to the end; rows per
//         second, and the app's resident memory (sampled every 50 ms, and its lifetime peak).
// Prints p50/p95 per report and filter; the last line is one JSON object.
// Goal (issue 10): status p95 ≤ 50 ms, every other report p95 ≤ 500 ms, export ≥ 50,000 rows/s
// with RSS ≤ 300 MB.
import { hash as argon2 } from '@node-rs/argon2';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ROOT,
  call,
  chooseServer,
  dropDatabase,
  ensureBuilt,
  freePort,
  fromDist,
  percentile,
  expectStatus,
  readRss,
  sessionFrom,
  startApp,
  withClient,
} from './lib.mjs';

const SIZE = Number(process.env.BENCH_REPORTS_INQUIRIES ?? 1_000_000);
const RUNS = 20;
const DATABASE = 'homecoming_bench_reports';
const GOALS = { statusP95Ms: 50, otherP95Ms: 500, exportRowsPerS: 50_000, exportRssMb: 300 };
// A scratch database's key: nothing sealed is written to it.
const KEY = Buffer.alloc(32, 7).toString('base64');

const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const day = (msAgo) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

ensureBuilt();
const { REPORTS } = await fromDist('src/reports/reports.service.js');
const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-reports-'));
const server = await chooseServer(folder);
const url = Object.assign(new URL(server.adminUrl), { pathname: `/${DATABASE}` }).toString();
const env = { ...process.env, DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY };
delete env.EMBEDDED_PG_DIR;
let app;
let result;
try {
  console.log(`PostgreSQL: ${server.source}; ${os.cpus().length} CPU(s); node ${process.version}`);
  const seeded = await withClient(server.adminUrl, async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (process.env.BENCH_REPORTS_REUSE === '1' && exists.rowCount) {
      const n = await withClient(url, (d) => d.query('SELECT count(*)::int AS n FROM inquiry'));
      if (n.rows[0].n === SIZE) return true;
    }
    await dropDatabase(c, DATABASE);
    await c.query(`CREATE DATABASE ${DATABASE}`);
    return false;
  });
  let seedSeconds = null;
  if (seeded) {
    console.log(`seed: reusing ${DATABASE} with ${SIZE} cases`);
  } else {
    const migrated = spawnSync(process.execPath, ['dist/src/cli/migrations.js', 'run'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    if (migrated.status !== 0) throw new Error(`migrations: ${migrated.stdout}${migrated.stderr}`);
    await withClient(url, (c) =>
      c.query(
        `INSERT INTO staff_user (email, display_name, roles, password_hash)
         SELECT 'caseworker' || g || '@bench.test', 'Caseworker ' || g, '{caseworker}', 'x'
         FROM generate_series(1, 10) g`,
      ),
    );
    const started = performance.now();
    const seed = spawnSync(
      process.execPath,
      ['dist/src/cli/seed-bulk.js', '--inquiries', String(SIZE)],
      { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    seedSeconds = (performance.now() - started) / 1000;
    if (seed.status !== 0) throw new Error(`seed: ${seed.stdout}${seed.stderr}`);
    const lines = seed.stdout.trim().split('\n');
    console.log(`seed: ${lines.slice(-3).join('; ')} (${round(seedSeconds)} s with the process)`);
  }

  // The bench's own supervisor, written directly (the first-admin bootstrap only runs on an
  // empty staff table, and the seed's caseworkers are there first).
  const supervisorEmail = 'supervisor@bench.test';
  const supervisorPassword = `bench-${randomBytes(12).toString('base64url')}`;
  await withClient(url, async (c) => {
    const passwordHash = await argon2(supervisorPassword);
    const updated = await c.query(`UPDATE staff_user SET password_hash = $2 WHERE email = $1`, [
      supervisorEmail,
      passwordHash,
    ]);
    if (updated.rowCount === 0) {
      await c.query(
        `INSERT INTO staff_user (email, display_name, roles, password_hash)
         VALUES ($1, 'Bench Supervisor', '{supervisor}', $2)`,
        [supervisorEmail, passwordHash],
      );
    }
  });

  const port = await freePort();
  app = await startApp(
    {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      TOTP_REQUIRED_ROLES: 'none',
      ROLE: 'api',
    },
    { cwd: folder },
  );
  const session = sessionFrom(
    await expectStatus(
      call(app.base, 'POST', '/api/auth/login', {
        body: { email: supervisorEmail, password: supervisorPassword },
      }),
      200,
      'supervisor sign-in',
    ),
    'supervisor sign-in',
  );
  const caseworker = await withClient(url, (c) =>
    c.query(`SELECT id FROM staff_user WHERE email = 'caseworker1@bench.test'`),
  );
  const filters = {
    all: {},
    filtered: { channel: 'phone', from: day(200 * DAY_MS), to: day(20 * DAY_MS) },
    caseworker: { assignee: caseworker.rows[0].id },
  };

  const timed = async (urlPath, runs) => {
    const ms = [];
    for (let i = 0; i < runs + 2; i += 1) {
      const t = performance.now();
      const res = await call(app.base, 'GET', urlPath, { session });
      if (res.status !== 200)
        throw new Error(`${urlPath}: ${res.status} ${res.text.slice(0, 300)}`);
      if (i >= 2) ms.push(performance.now() - t);
    }
    return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
  };
  const figures = {};
  const misses = [];
  console.log(`\nreports (${RUNS} runs each, ms)      ${Object.keys(filters).join(' p50/p95   ')}`);
  for (const name of REPORTS) {
    const cells = [];
    for (const [label, filter] of Object.entries(filters)) {
      const query = new URLSearchParams(filter).toString();
      const f = await timed(`/api/reports/${name}${query ? `?${query}` : ''}`, RUNS);
      figures[`${name}|${label}`] = f;
      cells.push(`${f.p50}/${f.p95}`.padEnd(14));
      const goal = name === 'status' ? GOALS.statusP95Ms : GOALS.otherP95Ms;
      if (f.p95 > goal) misses.push(`${name} (${label}) p95 ${f.p95} ms > ${goal}`);
    }
    console.log(`  ${name.padEnd(16)} ${cells.join(' ')}`);
  }

  const fromCases = [];
  await withClient(url, async (c) => {
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      await c.query('SELECT status, count(*) FROM inquiry GROUP BY status');
      fromCases.push(performance.now() - t);
    }
  });
  const health = await timed('/health/live', RUNS);
  const baseline = round(percentile(fromCases, 50));
  const status = figures['status|all'];
  console.log(
    `baseline: the status report from the cases (GROUP BY over ${SIZE} rows) p50 ${baseline} ms ` +
      `— the tallies' p50 is ${round(status.p50 / baseline, 3)} of it; GET /health/live p50 ` +
      `${health.p50} ms`,
  );

  const before = readRss(app.child.pid);
  let sampledPeak = before.rssMb;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, readRss(app.child.pid)?.rssMb ?? 0);
  }, 50);
  const started = performance.now();
  const res = await fetch(`${app.base}/api/reports/export/inquiries`, {
    headers: session.headers,
  });
  if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  let newlines = 0;
  for await (const chunk of res.body) {
    for (const byte of chunk) if (byte === 10) newlines += 1;
  }
  const exportSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = readRss(app.child.pid);
  const rows = newlines - 1;
  const rowsPerS = Math.round(rows / exportSeconds);
  console.log(
    `export: ${rows} rows in ${round(exportSeconds)} s = ${rowsPerS} rows/s; app RSS ` +
      `${round(before.rssMb)} MB before, ${round(sampledPeak)} MB at most during, lifetime peak ` +
      `${round(after.hwmMb)} MB`,
  );
  if (rows !== SIZE) misses.push(`export wrote ${rows} rows, not ${SIZE}`);
  if (rowsPerS < GOALS.exportRowsPerS) misses.push(`export ${rowsPerS} rows/s`);
  if (after.hwmMb > GOALS.exportRssMb) misses.push(`app peak RSS ${round(after.hwmMb)} MB`);
  console.log(
    `goals: status p95 ≤ ${GOALS.statusP95Ms} ms, others ≤ ${GOALS.otherP95Ms} ms, export ≥ ` +
      `${GOALS.exportRowsPerS} rows/s in ≤ ${GOALS.exportRssMb} MB: ` +
      `${misses.length ? `MISS — ${misses.join('; ')}` : 'all met'}`,
  );

  const key = (name) => name.replaceAll('-', '_');
  result = {
    bench: 'reports',
    inquiries_count: SIZE,
    seed_s: seedSeconds === null ? null : round(seedSeconds),
    ...Object.fromEntries(
      REPORTS.flatMap((name) => [
        [`${key(name)}_p50_ms`, figures[`${name}|all`].p50],
        [`${key(name)}_p95_ms`, figures[`${name}|all`].p95],
      ]),
    ),
    filtered_max_p95_ms: Math.max(...REPORTS.map((n) => figures[`${n}|filtered`].p95)),
    caseworker_max_p95_ms: Math.max(...REPORTS.map((n) => figures[`${n}|caseworker`].p95)),
    baseline_status_from_cases_p50_ms: baseline,
    status_ratio: round(status.p50 / baseline, 3),
    health_p50_ms: health.p50,
    export_rows_per_s: rowsPerS,
    export_rss_peak_mb: round(after.hwmMb),
    goals_met: misses.length === 0,
  };
} finally {
  await app?.stop();
  if (process.env.BENCH_REPORTS_KEEP !== '1' && result) {
    await withClient(server.adminUrl, (c) => dropDatabase(c, DATABASE));
  }
  await server.stop?.();
  await rm(folder, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
