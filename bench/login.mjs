// npm run bench:login — do failed sign-ins give an attacker a timing signal? Measures the answer
// time of a wrong password, an unknown email and a locked account (and, for reference, a good
// password) against the built app on an embedded PostgreSQL in a temporary folder. Loopback only,
// bounded: a few hundred requests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MAIN, freePort, percentile } from './lib.mjs';

const SAMPLES = 40;
const LOCKOUT_ATTEMPTS = 3;

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm run build` first');
  const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-login-'));
  await chmod(folder, 0o755);
  const port = await freePort();
  const adminPassword = `bench-${randomBytes(12).toString('base64url')}`;
  const child = spawn(process.execPath, [MAIN], {
    cwd: folder,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      EMBEDDED_PG_DIR: path.join(folder, 'pg'),
      EMBEDDED_PG_PORT: String(await freePort()),
      ADMIN_EMAIL: 'admin@bench.test',
      ADMIN_PASSWORD: adminPassword,
      TOTP_REQUIRED_ROLES: 'none',
      LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
      LOGIN_LOCKOUT_ATTEMPTS: String(LOCKOUT_ATTEMPTS),
    },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 600) throw new Error('the app did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = async (email, password) => {
      const started = performance.now();
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started, res };
    };
    const admin = await login('admin@bench.test', adminPassword);
    const cookie = admin.res.headers.get('set-cookie').split(';')[0];
    const csrf = (await fetch(`${base}/api/auth/me`, { headers: { cookie } }).then((r) => r.json()))
      .csrfToken;
    const createUser = async () => {
      const res = await fetch(`${base}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({
          email: `${randomBytes(6).toString('hex')}@bench.test`,
          displayName: 'Bench',
          roles: ['caseworker'],
        }),
      });
      const body = await res.json();
      return { email: body.user.email, password: body.temporaryPassword };
    };

    const figures = { wrong_password: [], unknown_email: [], locked: [], success: [] };
    const statuses = new Set();
    // Below the lockout threshold per account, so every sample is a plain wrong password.
    const perUser = LOCKOUT_ATTEMPTS - 1;
    for (let i = 0; i < SAMPLES / perUser; i++) {
      const user = await createUser();
      for (let j = 0; j < perUser; j++)
        figures.wrong_password.push((await login(user.email, 'not-the-password')).ms);
    }
    const locked = await createUser();
    for (let j = 0; j < LOCKOUT_ATTEMPTS; j++) await login(locked.email, 'not-the-password');
    for (let i = 0; i < SAMPLES; i++) {
      const a = await login(`${randomBytes(6).toString('hex')}@nowhere.test`, 'whatever-password');
      const b = await login(locked.email, locked.password);
      statuses.add(a.status).add(b.status);
      figures.unknown_email.push(a.ms);
      figures.locked.push(b.ms);
    }
    const good = await createUser();
    for (let i = 0; i < SAMPLES / 4; i++)
      figures.success.push((await login(good.email, good.password)).ms);

    const medians = Object.fromEntries(
      Object.entries(figures).map(([k, v]) => [k, percentile(v, 50)]),
    );
    const failures = [medians.wrong_password, medians.unknown_email, medians.locked];
    const spread = Math.max(...failures) / Math.min(...failures);
    for (const [kind, values] of Object.entries(figures)) {
      console.log(
        `${kind.padEnd(15)} median ${percentile(values, 50).toFixed(1)} ms, p90 ${percentile(values, 90).toFixed(1)} ms (${values.length} samples)`,
      );
    }
    console.log(
      `failed-answer statuses: ${[...statuses].join(', ')}; slowest/fastest failure median: ${spread.toFixed(2)}`,
    );
    const round = (x) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'login',
        wrong_password_median_ms: round(medians.wrong_password),
        unknown_email_median_ms: round(medians.unknown_email),
        locked_median_ms: round(medians.locked),
        success_median_ms: round(medians.success),
        failure_spread_ratio: Math.round(spread * 100) / 100,
        samples_count: SAMPLES,
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
