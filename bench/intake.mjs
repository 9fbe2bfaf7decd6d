// `npm run bench:intake`: 2,000 messages into the intake pipeline through each door.
//   mix: the real-world fixtures (../shared/fixtures/email/real), each copy made unique, and
//        families' first letters from new senders (each opens a case); one in a hundred carries a
//        5–10 MB attachment (random bytes: incompressible, like the photos and scans families send).
//   webhook: 8 concurrent signed POSTs of the raw messages to the built app (dist/) until the
//            last 202 (the pipeline runs inside the request). Baseline: PostgreSQL storing the same
//            raw bytes with their hash from this process over 8 connections, nothing else.
//   IMAP:    the same number of fresh copies APPENDed to a folder of a throwaway Dovecot, then
//            moved into the INBOX the app reads, until the last one is decided and the INBOX is
//            empty. Baseline: imapflow fetching the same messages from Dovecot, nothing else.
// Prints messages per second, the ratio to each baseline and the app's peak RSS; checks every
// message got exactly one outcome. The last line of output is one JSON object.
// Goal (issue 7): ≥ 150 messages/s by webhook, ≥ 100 by IMAP, RSS ≤ 400 MB. Needs dovecot-imapd.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import pg from 'pg';
import { startDovecot } from '../scripts/dovecot.mjs';
import {
  ROOT,
  chooseServer,
  dropDatabase,
  ensureBuilt,
  startApp,
  freePort,
  postgresCpuMs,
  postgresCpuMsSince,
  readCpuMs,
  readRss,
  withClient,
} from './lib.mjs';

const MESSAGES = Number(process.env.BENCH_INTAKE_MESSAGES ?? 2_000);
const CONCURRENCY = 8;
const DATABASE = 'homecoming_bench_intake';
const FIXTURES = path.resolve(ROOT, '../shared/fixtures/email/real');
const SECRET = randomBytes(32).toString('hex');
const TIMEOUT_MS = 15 * 60_000;
const DOVECOT = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';
// Extra node options for the app, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

if (!existsSync(DOVECOT)) {
  console.error('bench:intake needs Dovecot for its IMAP half: apt-get install -y dovecot-imapd');
  process.exit(1);
}
ensureBuilt();

// ---------------------------------------------------------------------------------------------
// The mix. `copy` tells copies apart (a header first, so the bytes differ; nothing else changes).

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => readFileSync(path.join(FIXTURES, f)));

function firstLetter(n, copy, attachmentBytes) {
  const boundary = `bench-${copy}-${n}`;
  const head = [
    `X-Bench-Copy: ${copy}-${n}`,
    `From: =?UTF-8?B?${Buffer.from(`Мама ${n}`).toString('base64')}?= <mother.${copy}.${n}@bench.test>`,
    'To: cases@bench.test',
    `Subject: =?UTF-8?B?${Buffer.from(`Ищу сына, письмо ${n}`).toString('base64')}?=`,
    `Message-ID: <${copy}-${n}@bench.test>`,
    'MIME-Version: 1.0',
  ];
  const text = `Здравствуйте! Ищу сына. Он служил в 2024 году. Письмо ${n}.`;
  if (!attachmentBytes) {
    return Buffer.from(
      [
        ...head,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        text,
        '',
      ].join('\r\n'),
    );
  }
  const scan = randomBytes(attachmentBytes);
  Buffer.from('%PDF-1.4\n').copy(scan);
  return Buffer.from(
    [
      ...head,
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      `--${boundary}`,
      'Content-Type: application/pdf',
      `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent('Военный билет.pdf')}`,
      'Content-Transfer-Encoding: base64',
      '',
      scan.toString('base64').replace(/.{76}/g, '$&\r\n'),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

// Built when sent, not all at once: 20 attachments of 5–10 MB are 200 MB of this process.
// Which doors to measure (both unless told): BENCH_INTAKE_DOORS=webhook or =imap.
const DOORS = (process.env.BENCH_INTAKE_DOORS ?? 'webhook,imap').split(',');
const LARGE_EVERY = Number(process.env.BENCH_INTAKE_LARGE_EVERY ?? 100);
// Messages of the same mix posted before any clock starts, so that what is measured is the
// service as it runs, not V8 compiling it: a new process spends a fifth of its CPU in the JIT
// for its first several seconds. Their rate is printed too, as the cold start.
const WARMUP = Number(process.env.BENCH_INTAKE_WARMUP ?? 300);

function message(i, copy) {
  if (LARGE_EVERY && i % LARGE_EVERY === Math.floor(LARGE_EVERY / 2))
    return firstLetter(i, copy, (5 + (i % 6)) * 1024 * 1024);
  if (i % 5 < 3) {
    // A distinct message, not the same one again: its own Message-ID (intake knows a message
    // come again by its Message-ID and body).
    const fixture = fixtures[i % fixtures.length].toString('latin1');
    const own = `<${copy}-${i}@bench.test>`;
    const renamed = /^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*/im.test(
      fixture.split(/\r?\n\r?\n/)[0],
    )
      ? fixture.replace(/^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*/im, `Message-ID: ${own}`)
      : fixture;
    return Buffer.from(`X-Bench-Copy: ${copy}-${i}\r\n${renamed}`, 'latin1');
  }
  return firstLetter(i, copy, 0);
}

// ---------------------------------------------------------------------------------------------

const sign = (timestamp, body) =>
  `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex')}`;

async function inParallel(count, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

// Built before the clock starts (building the large ones takes long): ~300 MB of this process.
const messagesOf = (copy) => Array.from({ length: MESSAGES }, (_, i) => message(i, copy));

async function storeBaseline(dbUrl, messages) {
  const pool = new pg.Pool({ connectionString: dbUrl, max: CONCURRENCY });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, sha256 text UNIQUE, raw bytea)',
  );
  const start = performance.now();
  await inParallel(MESSAGES, async (i) => {
    const raw = messages[i];
    const sha = createHash('sha256').update(raw).digest('hex');
    await pool.query('INSERT INTO bench_raw (sha256, raw) VALUES ($1, $2)', [sha, raw]);
  });
  const seconds = (performance.now() - start) / 1000;
  await pool.query('DROP TABLE bench_raw');
  await pool.end();
  return MESSAGES / seconds;
}

async function imapClient(dovecot) {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

// Fetching the staged messages' sources, in chunks of 50 (as the app does), and nothing else.
async function fetchBaseline(dovecot) {
  const client = await imapClient(dovecot);
  const lock = await client.getMailboxLock('Staging', { readOnly: true });
  const start = performance.now();
  let fetched = 0;
  try {
    const uids = (await client.search({ all: true }, { uid: true })) || [];
    for (let i = 0; i < uids.length; i += 50) {
      const chunk = uids.slice(i, i + 50).join(',');
      for (const m of await client.fetchAll(chunk, { uid: true, source: true }, { uid: true })) {
        if (m.source) fetched += 1;
      }
    }
  } finally {
    lock.release();
  }
  const seconds = (performance.now() - start) / 1000;
  await client.logout();
  return fetched / seconds;
}

const perMessage = (ms) => Math.round((ms / MESSAGES) * 100) / 100;

// CPU time the app and PostgreSQL spend from now until stop() (ms): less noisy than rates on a
// shared machine.
function cpuMeter(appPid) {
  const app = readCpuMs(appPid);
  const postgres = postgresCpuMs();
  return () => ({ appMs: readCpuMs(appPid) - app, postgresMs: postgresCpuMsSince(postgres) });
}

function post(base, body) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(`${base}/api/intake/email`, {
    method: 'POST',
    headers: {
      'content-type': 'message/rfc822',
      'x-homecoming-timestamp': timestamp,
      'x-homecoming-signature': sign(timestamp, body),
    },
    body,
  });
}

// The warm-up's messages through the webhook; messages per second.
async function warmUp(base) {
  const start = performance.now();
  await inParallel(WARMUP, async (i) => {
    const res = await post(base, message(i, 'warmup'));
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`warm-up message ${i}: ${res.status}`);
  });
  return WARMUP / ((performance.now() - start) / 1000);
}

// 8 concurrent signed POSTs until the last answer (the pipeline runs inside the request).
async function webhookDoor(base, dbUrl, decided, appPid, decidedBefore) {
  const messages = messagesOf('webhook');
  const baselinePerS = await storeBaseline(dbUrl, messages);
  console.log(
    `baseline (PostgreSQL storing the raw bytes, ${CONCURRENCY} connections): ${Math.round(baselinePerS)} messages/s`,
  );
  let refused = 0;
  const start = performance.now();
  const cpu = cpuMeter(appPid);
  await inParallel(MESSAGES, async (i) => {
    const res = await post(base, messages[i]);
    await res.arrayBuffer();
    if (res.status !== 202) refused += 1;
  });
  const seconds = (performance.now() - start) / 1000;
  return {
    ...cpu(),
    perS: MESSAGES / seconds,
    seconds,
    baselinePerS,
    refused,
    decided: (await decided('webhook')) - decidedBefore,
  };
}

// Staged in Dovecot, then moved into the INBOX at once; until every one is decided.
async function imapDoor(dovecot, decided, alive, appPid) {
  console.log(`staging ${MESSAGES} messages in Dovecot…`);
  const stager = await imapClient(dovecot);
  await stager.mailboxCreate('Staging');
  for (const raw of messagesOf('imap')) await stager.append('Staging', raw);
  const baselinePerS = await fetchBaseline(dovecot);
  console.log(
    `baseline (imapflow fetching them from Dovecot): ${Math.round(baselinePerS)} messages/s`,
  );
  const start = performance.now();
  const cpu = cpuMeter(appPid);
  await stager.mailboxOpen('Staging');
  await stager.messageMove('1:*', 'INBOX');
  await stager.logout();
  const deadline = Date.now() + TIMEOUT_MS;
  while ((await decided('imap:INBOX')) < MESSAGES && Date.now() < deadline && alive()) {
    await sleep(100);
  }
  const seconds = (performance.now() - start) / 1000;
  const used = cpu();
  const count = await decided('imap:INBOX');
  return { ...used, perS: count / seconds, seconds, baselinePerS, decided: count };
}

const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-intake-'));
const dbServer = await chooseServer(folder);
const dbUrl = Object.assign(new URL(dbServer.adminUrl), { pathname: `/${DATABASE}` }).toString();
const dovecot = await startDovecot(DOVECOT);
let app;
let stopApp;
let result;
try {
  await withClient(dbServer.adminUrl, async (c) => {
    await dropDatabase(c, DATABASE);
    await c.query(`CREATE DATABASE ${DATABASE}`);
  });
  const port = await freePort();
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAIL_FROM: 'homecoming <cases@homecoming.bench>',
    MAIL_DIR: path.join(folder, 'mail'),
    INTAKE_WEBHOOK_SECRET: SECRET,
    IMAP_HOST: dovecot.host,
    IMAP_PORT: String(dovecot.port),
    IMAP_TLS: 'none',
    IMAP_USER: dovecot.user,
    IMAP_PASSWORD: dovecot.password,
    IMAP_MAILBOXES: 'INBOX',
    IMAP_POLL_INTERVAL_MS: '1000',
  };
  delete env.EMBEDDED_PG_DIR;
  const started = await startApp(env, { cwd: folder, nodeArgs: NODE_ARGS });
  app = started.child;
  stopApp = started.stop;
  const base = started.base;
  const memory = { peakMb: 0 };
  const poll = setInterval(() => {
    const m = readRss(app.pid);
    if (m) memory.peakMb = Math.max(memory.peakMb, m.rssMb, m.hwmMb);
  }, 100);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const decided = async (source) =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM inbound_email WHERE source = $1 AND outcome <> 'received'`,
        [source],
      )
    ).rows[0].n;

  result = { bench: 'intake', messages_count: MESSAGES };
  const goals = [];
  if (WARMUP > 0) {
    const coldPerS = await warmUp(base);
    console.log(
      `warm-up: ${WARMUP} messages by webhook into the new process at ${Math.round(coldPerS)} messages/s (cold)`,
    );
    Object.assign(result, { warmup_count: WARMUP, warmup_cold_per_s: Math.round(coldPerS) });
  }
  const warmedUp = await decided('webhook');
  if (DOORS.includes('webhook')) {
    const w = await webhookDoor(base, dbUrl, decided, app.pid, warmedUp);
    const ratio = w.perS / w.baselinePerS;
    console.log(
      `webhook: ${MESSAGES} messages in ${w.seconds.toFixed(1)} s = ${Math.round(w.perS)} messages/s ` +
        `(ratio to baseline ${ratio.toFixed(2)}); decided ${w.decided}, refused ${w.refused}; ` +
        `peak RSS so far ${memory.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  CPU per message: app ${perMessage(w.appMs)} ms, PostgreSQL ${perMessage(w.postgresMs)} ms`,
    );
    goals.push(`webhook ≥ 150/s ${w.perS >= 150 ? 'ok' : 'MISS'}`);
    Object.assign(result, {
      webhook_per_s: Math.round(w.perS),
      webhook_baseline_per_s: Math.round(w.baselinePerS),
      webhook_ratio: Math.round(ratio * 100) / 100,
      webhook_decided_count: w.decided,
      webhook_refused_count: w.refused,
      webhook_app_cpu_ms_per_msg: perMessage(w.appMs),
      webhook_postgres_cpu_ms_per_msg: perMessage(w.postgresMs),
      rss_webhook_peak_mb: Math.round(memory.peakMb),
    });
  }
  if (DOORS.includes('imap')) {
    const m = await imapDoor(dovecot, decided, () => app.exitCode === null, app.pid);
    const ratio = m.perS / m.baselinePerS;
    console.log(
      `IMAP: ${m.decided} of ${MESSAGES} messages in ${m.seconds.toFixed(1)} s = ${Math.round(m.perS)} messages/s ` +
        `(ratio to baseline ${ratio.toFixed(2)}); peak RSS ${memory.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  CPU per message: app ${perMessage(m.appMs)} ms, PostgreSQL ${perMessage(m.postgresMs)} ms`,
    );
    goals.push(`IMAP ≥ 100/s ${m.perS >= 100 ? 'ok' : 'MISS'}`);
    Object.assign(result, {
      imap_per_s: Math.round(m.perS),
      imap_baseline_per_s: Math.round(m.baselinePerS),
      imap_ratio: Math.round(ratio * 100) / 100,
      imap_decided_count: m.decided,
      imap_app_cpu_ms_per_msg: perMessage(m.appMs),
      imap_postgres_cpu_ms_per_msg: perMessage(m.postgresMs),
    });
  }
  clearInterval(poll);
  const outcomes = (
    await db.query(
      `SELECT outcome, count(*)::int AS n FROM inbound_email GROUP BY outcome ORDER BY outcome`,
    )
  ).rows;
  await db.end();
  console.log(`outcomes: ${outcomes.map((r) => `${r.outcome} ${r.n}`).join(', ')}`);
  goals.push(`RSS ≤ 400 MB ${memory.peakMb <= 400 ? 'ok' : 'MISS'}`);
  console.log(`goals: ${goals.join(', ')}`);
  result.rss_peak_mb = Math.round(memory.peakMb);
} finally {
  await stopApp?.();
  await dovecot.remove();
  await withClient(dbServer.adminUrl, (c) => dropDatabase(c, DATABASE)).catch(() => undefined);
  await dbServer.stop?.();
  await rm(folder, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
