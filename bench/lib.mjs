// Helpers shared by the benchmarks: the build being measured, free ports, scratch databases,
// percentiles and output tidying.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN = path.join(ROOT, 'dist/src/main.js');

// A module of the compiled application, e.g. fromDist('src/audit/audit.service.js').
export const fromDist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (!entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

// Builds when dist/ is missing; says so when the sources are newer than the build measured.
export function ensureBuilt() {
  if (!existsSync(MAIN)) {
    console.log('dist/src/main.js is missing: running `npm run build`…');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (build.status !== 0 || !existsSync(MAIN)) {
      console.error('bench: `npm run build` failed');
      process.exit(1);
    }
    return;
  }
  const stamp = path.join(ROOT, 'dist/.tsbuildinfo');
  const sources = Math.max(
    newestSource(path.join(ROOT, 'src')),
    newestSource(path.join(ROOT, 'migrations')),
  );
  if (!existsSync(stamp) || sources > statSync(stamp).mtimeMs) {
    const note = 'note: sources are newer than dist/ — measuring the old build';
    console.log(`${note} (run \`npm run build\` first to measure the current code)`);
  }
}

// Identifies the build being measured, so that a rebuild during the benchmark (someone running
// `npm run build` in the same tree) is reported instead of silently mixing two builds.
export function buildStamp() {
  try {
    return statSync(path.join(ROOT, 'dist/.tsbuildinfo')).mtimeMs;
  } catch {
    return undefined;
  }
}

// Nearest-rank percentile, p in 0..100.
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(admin, name) {
  const { rows } = await admin.query('SHOW server_version_num');
  const force = Number(rows[0].server_version_num) >= 130000 ? ' WITH (FORCE)' : '';
  await admin.query(`DROP DATABASE IF EXISTS ${name}${force}`);
}

// eslint-disable-next-line no-control-regex
export const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
export const lastLines = (text, n = 25) => plain(text).trimEnd().split('\n').slice(-n).join('\n');
export const indent = (text) => text.replace(/^/gm, '    ');

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

// The PostgreSQL a benchmark runs against: DATABASE_URL if set, else the local server on
// 127.0.0.1:5432 if it answers, else an embedded one started in `folder` (stop() it after).
export async function chooseServer(folder) {
  if (process.env.DATABASE_URL) {
    return { adminUrl: process.env.DATABASE_URL, source: 'DATABASE_URL' };
  }
  if (await answers(LOCAL_ADMIN_URL)) {
    return { adminUrl: LOCAL_ADMIN_URL, source: 'local PostgreSQL on 127.0.0.1:5432' };
  }
  const { EmbeddedPostgres } = await fromDist('src/database/embedded-postgres.js');
  const server = await EmbeddedPostgres.start({
    dir: path.join(folder, 'pg'),
    port: await freePort(),
  });
  return {
    adminUrl: server.url,
    source: `embedded PostgreSQL in ${folder}/pg`,
    stop: () => server.stop(),
  };
}

// A process's resident set now and at its peak (MB), from /proc; undefined once it is gone.
export function readRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

// CPU time (user + system, ms) a process has used so far; 0 once it is gone.
export function readCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks
  } catch {
    return 0;
  }
}

// CPU time (ms) used so far by every PostgreSQL process on this machine, by pid: what the
// database spent on a phase is the difference (backends that start during it count from 0).
export function postgresCpuMs() {
  const used = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') {
        used.set(pid, readCpuMs(pid));
      }
    } catch {
      // gone meanwhile
    }
  }
  return used;
}

export function postgresCpuMsSince(before) {
  let ms = 0;
  for (const [pid, now] of postgresCpuMs()) ms += now - (before.get(pid) ?? 0);
  return ms;
}

// The built app as its own process (stdout dropped, or appended to `logFile`; stderr kept for the error), resolved once
// /health/ready answers 200 (60 s at most). stop() sends SIGTERM and waits for the exit.
export async function startApp(env, { cwd, nodeArgs = [], logFile } = {}) {
  const log = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    cwd,
    env,
    stdio: ['ignore', log, 'pipe'],
  });
  if (logFile) closeSync(log);
  let errors = '';
  child.stderr.on('data', (d) => (errors += d));
  const base = `http://${env.HOST}:${env.PORT}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  for (let waited = 0; ; waited += 200) {
    if (child.exitCode !== null) throw new Error(`the app exited: ${errors.slice(0, 500)}`);
    const ready = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { child, base, stop };
    if (waited > 60_000) {
      await stop();
      throw new Error('the app did not become ready in 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Signing in: the admin creates a staff account (admins cannot open inquiries), which signs in
// and replaces its temporary password; that session carries the load.

export async function call(base, method, urlPath, { session, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (session) Object.assign(headers, session.headers);
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, res };
}

export function sessionFrom(result, what) {
  const cookie = result.res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('hc_session='));
  const csrf = result.json?.csrfToken;
  if (!cookie || !csrf) {
    throw new Error(`${what}: no session cookie or csrfToken (${result.status} ${result.text})`);
  }
  return { headers: { cookie, 'x-csrf-token': csrf } };
}

export async function expectStatus(promise, status, what) {
  const result = await promise;
  if (result.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${result.status} ${result.text.slice(0, 300)}`,
    );
  }
  return result;
}

export async function signInStaff(
  base,
  adminEmail,
  adminPassword,
  roles = ['caseworker', 'supervisor'],
) {
  const admin = sessionFrom(
    await expectStatus(
      call(base, 'POST', '/api/auth/login', {
        body: { email: adminEmail, password: adminPassword },
      }),
      200,
      'admin sign-in',
    ),
    'admin sign-in',
  );
  const email = `bench-${randomBytes(4).toString('hex')}@bench.test`;
  const created = await expectStatus(
    call(base, 'POST', '/api/users', {
      session: admin,
      body: { email, displayName: 'Bench Caseworker', roles },
    }),
    201,
    'creating the staff account',
  );
  const temporary = created.json.temporaryPassword;
  const first = sessionFrom(
    await expectStatus(
      call(base, 'POST', '/api/auth/login', { body: { email, password: temporary } }),
      200,
      'staff sign-in',
    ),
    'staff sign-in',
  );
  const changed = await expectStatus(
    call(base, 'POST', '/api/auth/password', {
      session: first,
      body: {
        currentPassword: temporary,
        newPassword: `bench-${randomBytes(18).toString('base64url')}`,
      },
    }),
    200,
    'changing the temporary password',
  );
  return { session: sessionFrom(changed, 'password change'), staffId: changed.json?.user?.id };
}
