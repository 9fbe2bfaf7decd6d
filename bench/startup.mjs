// `npm run bench:startup`: how long `node dist/src/main.js` takes from spawn to a 200 from
// GET /health/ready, and how much memory (VmRSS of the node process) it holds once running:
// (a) against an external PostgreSQL, (b) with the embedded PostgreSQL. Each figure is the median
// of RUNS runs, next to a same-run baseline (a bare node http server) so that results from
// different machines can be compared as ratios. The last line of output is one JSON object.
// See bench/README.md.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  MAIN,
  buildStamp,
  dropDatabase,
  ensureBuilt,
  freePort,
  indent,
  lastLines,
  plain,
} from './lib.mjs';

const RUNS = 5;
const POLL_INTERVAL_MS = 20;
const READY_TIMEOUT_MS = 60_000;
const IDLE_MS = 2_000;
const BURST_REQUESTS = 200;
const BURST_CONCURRENCY = 10;
const REQUEST_TIMEOUT_MS = 5_000;
const EXIT_TIMEOUT_MS = 30_000;
const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DATABASE = 'homecoming_bench';

const BASELINE_CODE =
  "require('http').createServer((q,s)=>s.end('ok')).listen(+process.env.PORT,'127.0.0.1')";

const problems = [];
let current; // { child, exited } of the run in progress, so that Ctrl-C can stop it
let interrupted = false;
const forever = () => new Promise(() => {}); // parks the main flow once Ctrl-C takes over

// ---------------------------------------------------------------------------------------------
// One run: spawn, poll until ready, measure memory, stop.

async function measureRun({ label, command, args, env, cwd, expectExitZero }) {
  if (interrupted) await forever();
  const port = await freePort();
  const output = tail(8_192);
  const startedAt = performance.now();
  const child = spawn(command, args, {
    cwd,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
    child.once('error', (error) => resolve({ code: null, signal: null, error, at: 0 }));
  });
  current = { child, exited };
  child.stdout.on('data', output.push);
  child.stderr.on('data', output.push);

  const result = { label, ok: false };
  try {
    const readyAt = await pollReady(port, startedAt, exited);
    result.readyMs = readyAt - startedAt;
    result.rssReadyMb = rssMb(child.pid);
    await sleep(IDLE_MS);
    result.rssIdleMb = rssMb(child.pid);
    const burst = await requestBurst(port);
    result.burstNon200 = burst.non200;
    result.rssMb = rssMb(child.pid);
    if (burst.non200 > 0) {
      problems.push(`${label}: ${burst.non200}/${BURST_REQUESTS} burst requests did not get 200`);
    }
  } catch (error) {
    result.error = error.message;
  }

  const stopAt = performance.now();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const exit = await withTimeout(exited, EXIT_TIMEOUT_MS);
  if (!exit) {
    child.kill('SIGKILL');
    await exited;
    result.error ??= `did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM (killed)`;
  } else {
    result.shutdownMs = Math.max(0, exit.at - stopAt);
    const clean = expectExitZero ? exit.code === 0 : exit.code === 0 || exit.signal === 'SIGTERM';
    if (!clean && !result.error) {
      result.error = exit.error
        ? `could not start: ${exit.error.message}`
        : `exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`;
    }
  }
  // 'exit' can come before the last of its output; give the pipes a moment to drain.
  await withTimeout(new Promise((resolve) => child.once('close', resolve)), 500);
  current = undefined;
  if (interrupted) await forever();
  result.ok = !result.error;
  result.output = output.text();
  if (!result.ok) {
    problems.push(`${label}: ${result.error}`);
    if (result.output) console.log(indent(`last output of ${label}:\n${lastLines(result.output)}`));
  } else if (result.output.trim()) {
    // LOG_LEVEL=warn: anything here is a warning or an error the app logged.
    problems.push(`${label}: the app wrote output at LOG_LEVEL=warn: ${firstLine(result.output)}`);
  }
  return result;
}

async function pollReady(port, startedAt, exited) {
  let gone;
  void exited.then((exit) => (gone = exit));
  let lastStatus = 'no answer';
  for (;;) {
    if (gone) {
      throw new Error(
        gone.error
          ? `could not start: ${gone.error.message}`
          : `exited before ready (${gone.signal ? `signal ${gone.signal}` : `code ${gone.code}`})`,
      );
    }
    const status = await getStatus(port, '/health/ready');
    if (status === 200) return performance.now();
    if (status !== null) lastStatus = `last answer ${status}`;
    if (performance.now() - startedAt > READY_TIMEOUT_MS) {
      throw new Error(`not ready within ${READY_TIMEOUT_MS} ms (${lastStatus})`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

// Resolves with the status code, or null when nothing answered (not listening yet, timeout).
function getStatus(port, urlPath, agent = false) {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode));
        res.once('error', () => resolve(null));
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(null));
  });
}

async function requestBurst(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: BURST_CONCURRENCY });
  let next = 0;
  let non200 = 0;
  const worker = async () => {
    while (next < BURST_REQUESTS) {
      next += 1;
      if ((await getStatus(port, '/health/ready', agent)) !== 200) non200 += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: BURST_CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  return { non200 };
}

function rssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The three kinds of process.

function baselineRun(label, cwd) {
  return measureRun({
    label,
    command: process.execPath,
    args: ['-e', BASELINE_CODE],
    env: process.env,
    cwd,
    expectExitZero: false, // a bare server dies of SIGTERM, which is fine
  });
}

function appEnv(extra) {
  // A known first admin: otherwise the app prints a generated password once on stderr, which
  // this benchmark would report as unexpected output.
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ADMIN_EMAIL: 'admin@bench.test',
    ADMIN_PASSWORD: `bench-${randomBytes(12).toString('base64url')}`,
  };
  delete env.DATABASE_URL;
  delete env.EMBEDDED_PG_DIR;
  delete env.EMBEDDED_PG_PORT;
  return { ...env, ...extra };
}

function externalRun(label, databaseUrl, cwd) {
  return measureRun({
    label,
    command: process.execPath,
    args: [MAIN],
    // A throwaway key: DATABASE_URL requires one, and nothing is encrypted during the run.
    env: appEnv({
      DATABASE_URL: databaseUrl,
      DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    }),
    cwd,
    expectExitZero: true,
  });
}

async function embeddedRun(label, dataDir, cwd) {
  const result = await measureRun({
    label,
    command: process.execPath,
    args: [MAIN],
    env: appEnv({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) }),
    cwd,
    expectExitZero: true,
  });
  // The app stops its PostgreSQL on the way out; a postmaster.pid left behind means it did not.
  if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
    problems.push(`${label}: embedded PostgreSQL still running after the app exited (stopped it)`);
    await stopPostmaster(dataDir);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// External PostgreSQL: DATABASE_URL, else a local server on 5432 if one answers.

async function prepareExternal() {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, source: 'DATABASE_URL', fresh: false };
  }
  const admin = new pg.Client({
    connectionString: LOCAL_ADMIN_URL,
    connectionTimeoutMillis: 3_000,
  });
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => undefined);
    return {
      skip: `DATABASE_URL is not set and ${LOCAL_ADMIN_URL} does not answer (${error.message})`,
    };
  }
  try {
    await recreateDatabase(admin);
  } finally {
    await admin.end();
  }
  const url = LOCAL_ADMIN_URL.replace(/\/postgres$/, `/${BENCH_DATABASE}`);
  return {
    url,
    source: `${BENCH_DATABASE} on 127.0.0.1:5432, created for this run`,
    fresh: true,
    cleanup: async () => {
      const client = new pg.Client({ connectionString: LOCAL_ADMIN_URL });
      await client.connect();
      try {
        await dropDatabase(client);
      } finally {
        await client.end();
      }
    },
  };
}

async function recreateDatabase(admin) {
  await dropDatabase(admin, BENCH_DATABASE);
  await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
}

// ---------------------------------------------------------------------------------------------
// Helpers.

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function stopPostmaster(dataDir) {
  let pid;
  try {
    pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT'); // "fast" shutdown
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function stats(results, key) {
  const values = results.filter((r) => r.ok && r[key] !== undefined).map((r) => r[key]);
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

const ms = (v) => Math.round(v);
const mb = (v) => Math.round(v * 10) / 10;
const ratio = (v) => Math.round(v * 100) / 100;
const firstLine = (text) => plain(text).trim().split('\n')[0].slice(0, 300);

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function printRun(r) {
  if (!r.ok) {
    console.log(`  ${r.label}: FAILED — ${r.error}`);
    return;
  }
  const rss = [r.rssReadyMb, r.rssIdleMb, r.rssMb].map((v) => (v === undefined ? '?' : mb(v)));
  console.log(
    `  ${r.label}: ready ${ms(r.readyMs)} ms; RSS ${rss[0]} / ${rss[1]} / ${rss[2]} MB ` +
      `(ready / idle / after burst); shutdown ${ms(r.shutdownMs)} ms`,
  );
}

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureBuilt();
  const stampAtStart = buildStamp();
  const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-'));
  await chmod(folder, 0o755); // as root the embedded server runs as `postgres`, which must enter
  const dataDir = path.join(folder, 'pg');
  let external;

  const cleanup = async () => {
    await stopPostmaster(dataDir);
    await rm(folder, { recursive: true, force: true });
    await external?.cleanup?.().catch((error) => {
      problems.push(`could not drop ${BENCH_DATABASE}: ${error.message}`);
    });
  };
  process.once('SIGINT', () => {
    interrupted = true;
    console.log('\ninterrupted: stopping the app and cleaning up…');
    const stopCurrent = async (run) => {
      if (!run) return;
      run.child.kill('SIGTERM');
      if (!(await withTimeout(run.exited, EXIT_TIMEOUT_MS))) run.child.kill('SIGKILL');
    };
    void stopCurrent(current)
      .then(cleanup)
      .finally(() => process.exit(130));
  });

  try {
    external = await prepareExternal();
    console.log(
      `startup benchmark: node ${process.version}, ${os.cpus().length} CPU(s), ` +
        `${os.platform()}/${os.arch()}; median of ${RUNS} runs; ` +
        `app started in ${folder} (no .env is read)`,
    );
    console.log(
      external.skip
        ? `external PostgreSQL: SKIPPED — ${external.skip}`
        : `external PostgreSQL: ${redact(external.url)} (${external.source})`,
    );
    console.log(`embedded PostgreSQL: data in ${dataDir}`);
    console.log(
      `Each run: spawn → GET /health/ready every ${POLL_INTERVAL_MS} ms until 200; RSS at ready, ` +
        `after ${IDLE_MS} ms idle, after ${BURST_REQUESTS} requests; SIGTERM → exit.\n`,
    );

    // First starts, reported apart: they warm the file cache, create the embedded cluster and
    // apply the migrations to a fresh database, which the measured runs then find done.
    console.log('first starts (not in the medians):');
    const warmup = await baselineRun('baseline warm-up', folder);
    printRun(warmup);
    const externalFirst = external.skip
      ? undefined
      : await externalRun(
          `external first start${external.fresh ? ' (fresh database)' : ''}`,
          external.url,
          folder,
        );
    if (externalFirst) printRun(externalFirst);
    const embeddedCold = await embeddedRun(
      'embedded first start (creates cluster)',
      dataDir,
      folder,
    );
    printRun(embeddedCold);

    // Measured runs, interleaved so that drift in the machine's load spreads over all modes.
    // A mode whose first start failed would only fail RUNS more times: leave it out.
    if (externalFirst && !externalFirst.ok) {
      external.skip = 'its first start failed, see above';
    }
    const embeddedOk = embeddedCold.ok;
    const runs = { baseline: [], external: [], embedded: [] };
    for (let i = 1; i <= RUNS; i++) {
      console.log(`round ${i}/${RUNS}:`);
      runs.baseline.push(await baselineRun(`baseline #${i}`, folder));
      printRun(runs.baseline.at(-1));
      if (!external.skip) {
        runs.external.push(await externalRun(`external #${i}`, external.url, folder));
        printRun(runs.external.at(-1));
      }
      if (embeddedOk) {
        runs.embedded.push(await embeddedRun(`embedded #${i}`, dataDir, folder));
        printRun(runs.embedded.at(-1));
      }
    }

    // Summary.
    const json = { bench: 'startup', runs: RUNS, node: process.version, cpus: os.cpus().length };
    const base = stats(runs.baseline, 'readyMs');
    const baseRss = stats(runs.baseline, 'rssMb');
    console.log('\nsummary (median [min–max]):');
    if (base) {
      json.baseline_ready_ms = ms(base.median);
      json.baseline_ready_min_ms = ms(base.min);
      json.baseline_ready_max_ms = ms(base.max);
      json.baseline_rss_mb = mb(baseRss.median);
      console.log(
        `  baseline (bare node http server)   ready ${ms(base.median)} ms ` +
          `[${ms(base.min)}–${ms(base.max)}]   RSS ${mb(baseRss.median)} MB`,
      );
    }
    const modes = [
      ['external', 'external PostgreSQL', runs.external, externalFirst],
      ['embedded', 'embedded PostgreSQL (warm)', runs.embedded, embeddedCold],
    ];
    for (const [key, title, results, first] of modes) {
      if (key === 'external' && external.skip) {
        console.log(`  ${title}: skipped (${external.skip})`);
        continue;
      }
      if (key === 'embedded' && !embeddedOk) {
        console.log(`  ${title}: skipped (its first start failed, see above)`);
        continue;
      }
      const ready = stats(results, 'readyMs');
      if (!ready) {
        console.log(`  ${title}: every run failed`);
        continue;
      }
      const rss = stats(results, 'rssMb');
      const rssReady = stats(results, 'rssReadyMb');
      const rssIdle = stats(results, 'rssIdleMb');
      const shutdown = stats(results, 'shutdownMs');
      const okCount = results.filter((r) => r.ok).length;
      Object.assign(json, {
        [`${key}_ready_ms`]: ms(ready.median),
        [`${key}_ready_min_ms`]: ms(ready.min),
        [`${key}_ready_max_ms`]: ms(ready.max),
        [`${key}_rss_mb`]: mb(rss.median),
        [`${key}_rss_min_mb`]: mb(rss.min),
        [`${key}_rss_max_mb`]: mb(rss.max),
        [`${key}_rss_ready_mb`]: mb(rssReady.median),
        [`${key}_rss_idle_mb`]: mb(rssIdle.median),
        [`${key}_shutdown_ms`]: ms(shutdown.median),
      });
      const ratioText = base ? `   ×${ratio(ready.median / base.median)} baseline` : '';
      if (base) json[`${key}_ready_ratio`] = ratio(ready.median / base.median);
      if (baseRss) json[`${key}_rss_ratio`] = ratio(rss.median / baseRss.median);
      console.log(
        `  ${title}${okCount < results.length ? ` (${okCount}/${results.length} ok)` : ''}:\n` +
          `    ready          ${ms(ready.median)} ms [${ms(ready.min)}–${ms(ready.max)}]${ratioText}\n` +
          `    RSS            ${mb(rss.median)} MB [${mb(rss.min)}–${mb(rss.max)}] after ` +
          `${BURST_REQUESTS} requests (at ready ${mb(rssReady.median)} MB, ` +
          `idle ${mb(rssIdle.median)} MB)\n` +
          `    shutdown       ${ms(shutdown.median)} ms (SIGTERM → exit)`,
      );
      if (first?.ok) {
        const name = key === 'embedded' ? 'cold' : 'first';
        json[`${key}_${name}_ready_ms`] = ms(first.readyMs);
        if (base) json[`${key}_${name}_ready_ratio`] = ratio(first.readyMs / base.median);
        console.log(
          `    first start    ${ms(first.readyMs)} ms ` +
            (key === 'embedded'
              ? '(cold: creates the cluster, applies migrations)'
              : '(first connection; applies pending migrations)'),
        );
      }
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
    await cleanup().catch(() => undefined);
    throw error;
  }
}

await main();
