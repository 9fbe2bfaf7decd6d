// `npm run bench:queue`: the inquiry queue with 10,000 inquiries in the database.
//   - the admin UI's built bundle: raw and gzip sizes;
//   - GET /api/inquiries, first page (25, newest first), with no filter, with a Latin-spelling
//     search over Cyrillic names (hc_name_key on every row) and with a status filter: p50/p99 over
//     sequential requests, next to the same two SQL statements the API runs (page + count) sent
//     straight to PostgreSQL in the same run (the baseline; ratio = SQL time / API time);
//   - in Chromium (when installed): from opening the queue in the browser, signed in, to the
//     first row on screen; cold (first load of the bundle) and warm.
// The last line of output is one JSON object. Goal (issue 5): first page on screen under 1 s.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import {
  MAIN,
  ROOT,
  chooseServer,
  dropDatabase,
  ensureBuilt,
  freePort,
  percentile,
  withClient,
} from './lib.mjs';

const INQUIRIES = Number(process.env.BENCH_QUEUE_INQUIRIES ?? 10_000);
const REQUESTS = Number(process.env.BENCH_QUEUE_REQUESTS ?? 100);
const BROWSER_LOADS = 5;
const DATABASE = 'homecoming_bench_queue';
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const round1 = (v) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);

ensureBuilt();
const ADMIN_DIST = path.join(ROOT, 'admin/dist');
if (!existsSync(path.join(ADMIN_DIST, 'index.html'))) {
  console.log('admin/dist is missing: running `npm run build:admin`…');
  spawnSync('npm', ['run', 'build:admin'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}

// --- bundle -------------------------------------------------------------------------------
function bundleSizes() {
  const sizes = { jsRaw: 0, jsGzip: 0, cssRaw: 0, cssGzip: 0, files: [] };
  const assets = path.join(ADMIN_DIST, 'assets');
  for (const name of readdirSync(assets)) {
    const bytes = readFileSync(path.join(assets, name));
    const gz = gzipSync(bytes, { level: 9 }).length;
    const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : undefined;
    if (!kind) continue;
    sizes[`${kind}Raw`] += bytes.length;
    sizes[`${kind}Gzip`] += gz;
    sizes.files.push(
      `${name} ${(bytes.length / 1024).toFixed(0)} kB (gzip ${(gz / 1024).toFixed(0)} kB)`,
    );
  }
  return sizes;
}

// --- database -----------------------------------------------------------------------------

// Realistic names: common Russian and Ukrainian surnames, given names and patronymics in
// Cyrillic; families write about sons born 1975–2006. Set-based, one statement per table.
const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Соколов',
  'Лебедев',
  'Козлов',
  'Новиков',
  'Морозов',
  'Петров',
  'Волков',
  'Соловьёв',
  'Васильев',
  'Зайцев',
  'Павлов',
  'Семёнов',
  'Голубев',
  'Виноградов',
  'Богданов',
  'Воробьёв',
  'Шевченко',
  'Коваленко',
  'Бондаренко',
  'Ткаченко',
  'Кравченко',
  'Олійник',
  'Шевчук',
  'Поліщук',
  'Лисенко',
  'Мельник',
];
const GIVEN = [
  'Александр',
  'Дмитрий',
  'Максим',
  'Сергей',
  'Андрей',
  'Алексей',
  'Артём',
  'Илья',
  'Кирилл',
  'Михаил',
  'Никита',
  'Матвей',
  'Роман',
  'Егор',
  'Юрий',
  'Олег',
  'Владимир',
  'Павел',
  'Иван',
  'Денис',
];
const PATRONYMICS = [
  'Александрович',
  'Дмитриевич',
  'Сергеевич',
  'Андреевич',
  'Алексеевич',
  'Игоревич',
  'Юрьевич',
  'Олегович',
  'Петрович',
  'Николаевич',
];
const MOTHERS = [
  'Ольга',
  'Татьяна',
  'Наталья',
  'Елена',
  'Ирина',
  'Светлана',
  'Людмила',
  'Галина',
  'Марина',
  'Анна',
];
const STATES = ['received', 'gathering_information', 'verifying', 'on_hold', 'closed_not_found'];

async function seed(client, count) {
  const arr = (a) => `ARRAY[${a.map((s) => `'${s}'`).join(',')}]`;
  await client.query('BEGIN');
  await client.query(
    `
    CREATE TEMP TABLE seed ON COMMIT DROP AS
    SELECT g AS n, gen_random_uuid() AS inquirer_id, gen_random_uuid() AS inquiry_id,
      (${arr(SURNAMES)})[1 + (g * 7) % ${SURNAMES.length}] AS surname,
      (${arr(GIVEN)})[1 + (g * 11) % ${GIVEN.length}] AS given,
      (${arr(PATRONYMICS)})[1 + (g * 13) % ${PATRONYMICS.length}] AS patronymic,
      (${arr(MOTHERS)})[1 + (g * 17) % ${MOTHERS.length}] AS mother,
      (${arr(STATES)})[1 + (g * 19) % ${STATES.length}] AS status,
      1975 + (g * 23) % 32 AS birth_year,
      now() - (${count} - g) * interval '7 minutes' AS created_at
    FROM generate_series(1, $1::int) g`,
    [count],
  );
  await client.query(`
    INSERT INTO inquirer (id, full_name, phones, emails, preferred_language, created_at, updated_at)
    SELECT inquirer_id, regexp_replace(surname, 'ов$|ёв$|ев$', '\\&а') || ' ' || mother,
      ARRAY['+7916' || lpad(n::text, 7, '0')], ARRAY['mother' || n || '@mail.ru'], 'ru', created_at, created_at
    FROM seed`);
  await client.query(`SELECT setval('inquiry_reference_seq', $1::int)`, [count]);
  await client.query(`
    INSERT INTO search (id, created_at) SELECT inquiry_id, created_at FROM seed`);
  await client.query(`
    INSERT INTO inquiry (id, reference, channel, status, priority, inquirer_id, relationship, search_id, created_at, updated_at)
    SELECT inquiry_id, 'HC-2026-' || lpad(n::text, 6, '0'), (ARRAY['phone','email'])[1 + n % 2], status,
      'normal', inquirer_id, 'mother', inquiry_id, created_at, created_at
    FROM seed`);
  await client.query(`
    INSERT INTO sought_person (inquiry_id, surname, given_name, patronymic, birth_year)
    SELECT inquiry_id, surname, given, patronymic, birth_year FROM seed`);
  await client.query(`
    INSERT INTO inquiry_status_history (inquiry_id, status, entered_at, actor)
    SELECT inquiry_id, status, created_at, 'system:bench' FROM seed`);
  await client.query('COMMIT');
  await client.query('ANALYZE');
}

// --- app ----------------------------------------------------------------------------------
async function startApp(databaseUrl, port, admin) {
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    TOTP_REQUIRED_ROLES: 'none',
  };
  delete env.EMBEDDED_PG_DIR;
  const child = spawn(process.execPath, [MAIN], {
    cwd: os.tmpdir(),
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d) => (errors += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited: ${errors.slice(0, 500)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(200);
  }
  throw new Error('the app did not become ready in 60 s');
}

async function timeSeries(fn, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

// --- run ----------------------------------------------------------------------------------
const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-queue-'));
const server = await chooseServer(folder);
const dbUrl = (() => {
  const u = new URL(server.adminUrl);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();
let app;
const figures = {};
try {
  const sizes = bundleSizes();
  console.log(
    `admin bundle: JS ${(sizes.jsRaw / 1024).toFixed(0)} kB, gzip ${(sizes.jsGzip / 1024).toFixed(0)} kB; CSS ${(sizes.cssRaw / 1024).toFixed(0)} kB`,
  );
  for (const f of sizes.files) console.log(`  ${f}`);
  Object.assign(figures, {
    bundle_js_raw_kb: Math.round(sizes.jsRaw / 1024),
    bundle_js_gzip_kb: Math.round(sizes.jsGzip / 1024),
    bundle_css_gzip_kb: Math.round(sizes.cssGzip / 1024),
  });

  await withClient(server.adminUrl, async (c) => {
    await dropDatabase(c, DATABASE);
    await c.query(`CREATE DATABASE ${DATABASE}`);
  });
  const admin = {
    email: 'bench-admin@bench.test',
    password: `bench-${randomBytes(12).toString('base64url')}`,
  };
  const port = await freePort();
  app = await startApp(dbUrl, port, admin);
  const base = `http://127.0.0.1:${port}`;
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  let t = performance.now();
  await seed(db, INQUIRIES);
  console.log(
    `seeded ${INQUIRIES} inquiries (${server.source}) in ${Math.round(performance.now() - t)} ms`,
  );
  await db.query(
    `UPDATE staff_user SET roles = ARRAY['admin','caseworker','supervisor'] WHERE email = $1`,
    [admin.email],
  );

  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('hc_session='));
  const get = async (query) => {
    const res = await fetch(`${base}/api/inquiries?${new URLSearchParams(query)}`, {
      headers: { cookie },
    });
    if (!res.ok) throw new Error(`GET /api/inquiries: ${res.status}`);
    const body = await res.json();
    if (body.total === undefined) throw new Error('no total');
    return body;
  };

  // The same statements the API runs (src/inquiries/inquiries.service.ts, list).
  const FROM = `FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id LEFT JOIN sought_person p ON p.inquiry_id = i.id`;
  const sql = async (where, params) => {
    await db.query(
      `SELECT i.id, i.reference, i.status, i.channel, i.priority, i.assigned_to, r.full_name,
        hc_full_name(p.surname, p.given_name, p.patronymic), i.created_at, i.version
      ${FROM} ${where} ORDER BY i.created_at DESC, i.id LIMIT 25 OFFSET 0`,
      params,
    );
    await db.query(`SELECT count(*)::int AS total ${FROM} ${where}`, params);
  };
  const soughtName = 'hc_full_name(surname, given_name, patronymic)';
  const keyWhere = `WHERE (i.inquirer_id IN (SELECT id FROM inquirer
        WHERE translate(lower(full_name), 'ё', 'е') LIKE $1 OR hc_name_key(full_name) LIKE '%' || hc_name_key($2) || '%')
      OR i.id IN (SELECT inquiry_id FROM sought_person
        WHERE translate(lower(${soughtName}), 'ё', 'е') LIKE $1 OR hc_name_key(${soughtName}) LIKE '%' || hc_name_key($2) || '%'))`;
  const cases = [
    {
      name: 'first_page',
      query: { page: 1, pageSize: 25, sort: '-createdAt' },
      sql: () => sql('', []),
    },
    {
      name: 'search_latin',
      query: { page: 1, pageSize: 25, sort: '-createdAt', q: 'Vorobyov' },
      sql: () => sql(keyWhere, ['%vorobyov%', 'Vorobyov']),
    },
    {
      name: 'status_filter',
      query: { page: 1, pageSize: 25, sort: '-createdAt', status: 'verifying' },
      sql: () => sql('WHERE i.status = ANY($1)', [['verifying']]),
    },
  ];
  for (const c of cases) {
    const total = (await get(c.query)).total;
    await c.sql();
    const api = await timeSeries(() => get(c.query), REQUESTS);
    const base_ = await timeSeries(c.sql, REQUESTS);
    console.log(
      `GET ${c.name.padEnd(14)} total ${String(total).padStart(5)}: API p50 ${round1(api.p50)} ms, p99 ${round1(api.p99)} ms; SQL p50 ${round1(base_.p50)} ms; ratio ${Math.round((base_.p50 / api.p50) * 100) / 100}`,
    );
    Object.assign(figures, {
      [`api_${c.name}_p50_ms`]: round1(api.p50),
      [`api_${c.name}_p99_ms`]: round1(api.p99),
      [`sql_${c.name}_p50_ms`]: round1(base_.p50),
      [`${c.name}_ratio`]: Math.round((base_.p50 / api.p50) * 100) / 100,
    });
  }
  await db.end();

  if (CHROMIUM) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext();
    await context.addCookies([{ name: 'hc_session', value: cookie.split('=')[1], url: base }]);
    const page = await context.newPage();
    const loads = [];
    for (let i = 0; i < BROWSER_LOADS; i++) {
      const start = performance.now();
      await page.goto(`${base}/admin/#/inquiries`);
      await page
        .getByRole('cell', { name: `HC-2026-${String(INQUIRIES).padStart(6, '0')}` })
        .waitFor({ timeout: 30_000 });
      loads.push(performance.now() - start);
    }
    await browser.close();
    console.log(
      `browser (Chromium): queue's first page on screen: cold ${Math.round(loads[0])} ms, warm median ${Math.round(percentile(loads.slice(1), 50))} ms (goal < 1000 ms)`,
    );
    Object.assign(figures, {
      browser_first_page_cold_ms: Math.round(loads[0]),
      browser_first_page_warm_ms: Math.round(percentile(loads.slice(1), 50)),
    });
  } else {
    console.log('browser: skipped, chromium is not installed (apt-get install -y chromium)');
  }
} finally {
  app?.kill('SIGTERM');
  await new Promise((r) => (app && app.exitCode === null ? app.once('exit', r) : r()));
  // BENCH_QUEUE_KEEP=1 keeps the seeded database (for EXPLAIN); the next run replaces it.
  if (!process.env.BENCH_QUEUE_KEEP) {
    await withClient(server.adminUrl, (c) => dropDatabase(c, DATABASE)).catch(() => undefined);
  }
  await server.stop?.();
  await rm(folder, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    bench: 'queue',
    inquiries_count: INQUIRIES,
    requests_count: REQUESTS,
    ...figures,
  }),
);
