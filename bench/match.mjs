// `npm run bench:match`: registry matching at 100,000 prisoners.
//   import: the synthetic registry (scripts/synthetic-registry.mjs, 100,000 prisoners holding the
//           names of shared/fixtures/names/variants.tsv) as CSV through the CLI
//           (`registry import`), from the process's start to its exit.
//   candidates: 1,000 look-ups with the statement the API runs (MatchingService's, prepared and
//           planned generically as the app's connections do), over one connection: half spellings
//           of the variants' names with the year of birth, half people who are not in the
//           registry with a full date. Baseline: the same number of look-ups of one prisoner by
//           personal number (a unique index), on the same connection.
// Prints import seconds and candidate latency p50/p95/p99; the last line is one JSON object.
// Goal (issue 8): import ≤ 30 s, p95 ≤ 30 ms.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  generateAbsent,
  generateRegistry,
  readVariants,
  toCsv,
} from '../scripts/synthetic-registry.mjs';
import {
  ROOT,
  chooseServer,
  dropDatabase,
  ensureBuilt,
  fromDist,
  percentile,
  withClient,
} from './lib.mjs';

const SIZE = Number(process.env.BENCH_MATCH_PRISONERS ?? 100_000);
const QUERIES = 1_000;
const DATABASE = 'homecoming_bench_match';
const GOALS = { importSeconds: 30, p95Ms: 30 };

ensureBuilt();
const { candidatesSql, GIVEN_QUERY } = await fromDist('src/identity/candidates.sql.js');
const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-match-'));
const server = await chooseServer(folder);
const url = Object.assign(new URL(server.adminUrl), { pathname: `/${DATABASE}` }).toString();
const env = {
  ...process.env,
  DATABASE_URL: url,
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};
delete env.EMBEDDED_PG_DIR;
let result;
try {
  console.log(`PostgreSQL: ${server.source}`);
  await withClient(server.adminUrl, async (c) => {
    await dropDatabase(c, DATABASE);
    await c.query(`CREATE DATABASE ${DATABASE}`);
  });
  const migrated = spawnSync(process.execPath, ['dist/src/cli/migrations.js', 'run'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migrations: ${migrated.stdout}${migrated.stderr}`);

  const variants = readVariants(path.resolve(ROOT, '../shared/fixtures/names/variants.tsv'));
  const registry = generateRegistry({ count: SIZE, variants });
  const file = path.join(folder, 'registry.csv');
  await writeFile(file, toCsv(registry));

  const started = performance.now();
  const imported = spawnSync(process.execPath, ['dist/src/cli/registry.js', 'import', file], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  const importSeconds = (performance.now() - started) / 1000;
  if (imported.status !== 0) throw new Error(`import: ${imported.stdout}${imported.stderr}`);
  console.log(
    `import: ${imported.stdout.trim()} (${importSeconds.toFixed(1)} s with the process's start)`,
  );

  const queries = [];
  for (const [i, v] of variants.entries()) {
    const birthYear = Number(registry[i].birthDate.slice(0, 4));
    for (const spelling of v.spellings) {
      const [surname, givenName, patronymic] = spelling.split(' ');
      queries.push({ surname, givenName, patronymic, birthYear });
    }
  }
  const lookups = [
    ...queries.slice(0, QUERIES / 2),
    ...generateAbsent({ count: QUERIES - Math.min(queries.length, QUERIES / 2) }),
  ];

  const client = new pg.Client({
    connectionString: url,
    options: '-c plan_cache_mode=force_generic_plan',
  });
  await client.connect();
  const statement = {
    name: 'bench_candidates',
    text: candidatesSql(GIVEN_QUERY, { limit: '$11' }),
  };
  const values = (q) => [
    q.surname,
    q.givenName ?? null,
    q.patronymic ?? null,
    q.birthYear ?? null,
    q.birthMonth ?? null,
    q.birthDay ?? null,
    null,
    null,
    null,
    null,
    10,
  ];
  for (const q of lookups.slice(0, 20)) await client.query({ ...statement, values: values(q) }); // warm
  const latencies = [];
  for (const q of lookups) {
    const t = performance.now();
    await client.query({ ...statement, values: values(q) });
    latencies.push(performance.now() - t);
  }
  const baseline = [];
  for (let i = 0; i < lookups.length; i += 1) {
    const t = performance.now();
    await client.query({
      name: 'bench_by_number',
      text: 'SELECT * FROM prisoner WHERE personal_number = $1',
      values: [registry[(i * 97) % registry.length].personalNumber],
    });
    baseline.push(performance.now() - t);
  }
  await client.end();
  const p = (list, q) => Math.round(percentile(list, q) * 100) / 100;
  const [p50, p95, p99] = [p(latencies, 50), p(latencies, 95), p(latencies, 99)];
  const baseP50 = p(baseline, 50);
  console.log(
    `candidates: ${lookups.length} look-ups, p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms`,
  );
  console.log(
    `baseline (one prisoner by personal number): p50 ${baseP50} ms; candidates p50 / baseline p50 = ${(p50 / baseP50).toFixed(1)}`,
  );
  console.log(
    `goals: import ≤ ${GOALS.importSeconds} s ${importSeconds <= GOALS.importSeconds ? 'ok' : 'MISS'}, p95 ≤ ${GOALS.p95Ms} ms ${p95 <= GOALS.p95Ms ? 'ok' : 'MISS'}`,
  );
  result = {
    bench: 'match',
    prisoners_count: SIZE,
    import_s: Math.round(importSeconds * 10) / 10,
    queries_count: lookups.length,
    candidates_p50_ms: p50,
    candidates_p95_ms: p95,
    candidates_p99_ms: p99,
    baseline_p50_ms: baseP50,
    p50_ratio: Math.round((p50 / baseP50) * 10) / 10,
  };
} finally {
  await withClient(server.adminUrl, (c) => dropDatabase(c, DATABASE)).catch(() => undefined);
  await server.stop?.();
  await rm(folder, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
