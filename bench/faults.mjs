// `npm run bench:faults`: two replicas of the built app on one PostgreSQL under a steady mixed
// load for 2 minutes (BENCH_FAULTS_SECONDS), while the things they depend on fail one after the
// other, all on 127.0.0.1:
//   PostgreSQL stopped and started again (5 s down) · the SMTP server away for 30 s · the IMAP
//   server away for 30 s · replica B killed with SIGKILL and started again.
// The load: creates (with an Idempotency-Key), transitions, reads and signed webhook intake
// spread over both replicas, plus first letters APPENDed to the IMAP INBOX (held back and
// appended later while Dovecot is away, as a mail server would). Both replicas run every job
// (ROLE=all), so they compete for outbox rows, the IMAP folder and the sweeps.
// Afterwards, once the queues have drained: every acknowledged write (2xx) is in the database;
// every outbox row was delivered, none failed, how many twice; every appended and posted
// message was recorded exactly once; recovery after each fault (seconds from the fault's end).
// The last line of output is one JSON object. Needs dovecot-imapd (apt-get install -y
// dovecot-imapd). Runs its own embedded PostgreSQL (it must restart it), whatever DATABASE_URL is.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { startDovecot } from '../scripts/dovecot.mjs';
import {
  call,
  ensureBuilt,
  freePort,
  fromDist,
  percentile,
  signInStaff,
  startApp,
} from './lib.mjs';

const SECONDS = Number(process.env.BENCH_FAULTS_SECONDS ?? 120);
const WORKERS = Number(process.env.BENCH_FAULTS_WORKERS ?? 6);
const DOVECOT = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';
const SECRET = randomBytes(32).toString('hex');
const ADMIN = {
  email: 'faults-admin@bench.test',
  password: `pw-${randomBytes(12).toString('hex')}`,
};
const RECOVERY_GOAL_S = 10;
const KEY = randomBytes(32).toString('base64');

if (!existsSync(DOVECOT)) {
  console.error('bench:faults needs Dovecot for its IMAP server: apt-get install -y dovecot-imapd');
  process.exit(1);
}
ensureBuilt();

const t0 = Date.now();
const at = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
const say = (text) => console.log(`[${at()} s] ${text}`);

// ---------------------------------------------------------------------------------------------
// The SMTP server: smtp-server on a fixed port, counting deliveries by Message-ID. A closed
// smtp-server answers 421 for good, so "back" is a new server on the same port.

class Smtp {
  deliveries = new Map(); // Message-ID → times delivered (the client was told 250)
  delayMs = 0; // before answering DATA: a slow server keeps mail in flight
  closed = new Set(); // sessions whose client went away
  server;
  port;

  async start(port = 0) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 500,
      onClose: (session) => this.closed.add(session.id),
      onData: (stream, session, callback) => {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', async () => {
          if (this.delayMs) await sleep(this.delayMs);
          // A client gone before our 250 (killed) did not hand the message over.
          if (this.closed.has(session.id)) return callback(new Error('gone'));
          const head = Buffer.concat(chunks)
            .toString('latin1')
            .split(/\r?\n\r?\n/)[0];
          const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? `(none ${randomUUID()})`;
          this.deliveries.set(id, (this.deliveries.get(id) ?? 0) + 1);
          callback();
        });
      },
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.server.address().port;
  }

  stop() {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// What the load sends, and what it was told.

let letterCount = 0;
function firstLetter(door) {
  letterCount += 1;
  const n = `${door}-${letterCount}-${randomBytes(3).toString('hex')}`;
  return {
    messageId: `<${n}@faults.test>`,
    raw: Buffer.from(
      [
        `From: =?UTF-8?B?${Buffer.from(`Мама ${n}`).toString('base64')}?= <mother.${n}@faults.test>`,
        'To: cases@faults.test',
        `Subject: =?UTF-8?B?${Buffer.from(`Ищу сына (${n})`).toString('base64')}?=`,
        `Message-ID: <${n}@faults.test>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        `Здравствуйте! Ищу сына. Письмо ${n}.`,
        '',
      ].join('\r\n'),
    ),
  };
}

let caseCount = 0;
function inquiryBody() {
  caseCount += 1;
  return {
    channel: 'phone',
    inquirer: {
      fullName: `Петрова Ольга ${caseCount}`,
      relationship: 'mother',
      phones: ['+7 916 123-45-67'],
      emails: [`olga.${caseCount}.${randomBytes(2).toString('hex')}@faults.test`],
      preferredLanguage: 'ru',
    },
    soughtPerson: { surname: 'Петров', givenName: `Алексей ${caseCount}`, birthYear: 2001 },
  };
}

const tally = {
  sent: 0,
  ok: 0,
  errors: {}, // kind → count
  latencies: [],
  created: [], // inquiry ids answered 201
  moved: [], // { id, version } answered 200
  posted: [], // { id, messageId } answered 202
  appended: [], // Message-IDs APPENDed to the INBOX
};
const open = []; // { id, version } created and not yet moved: transition candidates
const error = (kind) => (tally.errors[kind] = (tally.errors[kind] ?? 0) + 1);

async function request(base, method, urlPath, options) {
  tally.sent += 1;
  const started = performance.now();
  try {
    const result = await call(base, method, urlPath, options);
    tally.latencies.push(performance.now() - started);
    if (result.status < 300) tally.ok += 1;
    else error(`HTTP ${result.status}${result.json?.code ? ` ${result.json.code}` : ''}`);
    return result;
  } catch (e) {
    const cause = e.cause?.code ?? e.name ?? 'error';
    error(cause === 'TimeoutError' ? 'timeout' : cause);
    return undefined;
  }
}

function signedPost(base, raw) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(raw).digest('hex')}`;
  tally.sent += 1;
  const started = performance.now();
  return fetch(`${base}/api/intake/email`, {
    method: 'POST',
    headers: {
      'content-type': 'message/rfc822',
      'x-homecoming-timestamp': timestamp,
      'x-homecoming-signature': signature,
    },
    body: raw,
    signal: AbortSignal.timeout(30_000),
  }).then(
    async (res) => {
      tally.latencies.push(performance.now() - started);
      const json = await res.json().catch(() => undefined);
      if (res.status < 300) tally.ok += 1;
      else error(`HTTP ${res.status}${json?.code ? ` ${json.code}` : ''}`);
      return { status: res.status, json };
    },
    (e) => {
      error(e.cause?.code ?? e.name ?? 'error');
      return undefined;
    },
  );
}

async function worker(n, replicas, session, stopAt) {
  for (let i = 0; Date.now() < stopAt; i += 1) {
    const base = replicas[(n + i) % replicas.length].base;
    const roll = Math.random();
    if (roll < 0.35) {
      const r = await request(base, 'POST', '/api/inquiries', {
        session: { headers: { ...session.headers, 'idempotency-key': randomUUID() } },
        body: inquiryBody(),
      });
      if (r?.status === 201) {
        tally.created.push(r.json.inquiry.id);
        open.push({ id: r.json.inquiry.id, version: r.json.inquiry.version });
      }
    } else if (roll < 0.55 && open.length > 0) {
      const target = open.splice(Math.floor(Math.random() * open.length), 1)[0];
      const r = await request(base, 'POST', `/api/inquiries/${target.id}/transitions`, {
        session,
        body: { to: 'gathering_information', version: target.version },
      });
      if (r?.status === 200) tally.moved.push({ id: target.id, version: r.json.version });
      else if (r === undefined || r.status >= 500) open.push(target); // try again later
    } else if (roll < 0.9) {
      const id = tally.created[Math.floor(Math.random() * tally.created.length)];
      await request(base, 'GET', id ? `/api/inquiries/${id}` : '/api/inquiries?pageSize=20', {
        session,
      });
    } else {
      const letter = firstLetter('webhook');
      // A mail server keeps a message it could not hand over and tries again.
      for (let attempt = 0; attempt < 30 && Date.now() < stopAt + 30_000; attempt += 1) {
        const r = await signedPost(base, letter.raw);
        if (r?.status === 202) {
          tally.posted.push({ id: r.json.id, messageId: letter.messageId });
          break;
        }
        await sleep(1_000);
      }
    }
  }
}

// First letters into the INBOX every 400 ms; while Dovecot is away they wait, and go in order
// once it is back.
const held = { waiting: 0 };
async function appender(dovecot, stopAt) {
  const waiting = [];
  while (Date.now() < stopAt || waiting.length > 0) {
    held.waiting = waiting.length;
    if (Date.now() < stopAt) waiting.push(firstLetter('imap'));
    while (waiting.length > 0) {
      try {
        await dovecot.append('INBOX', waiting[0].raw);
        tally.appended.push(waiting.shift().messageId);
      } catch {
        break;
      }
    }
    held.waiting = waiting.length;
    await sleep(400);
    if (Date.now() > stopAt + 60_000) break;
  }
  return waiting.length;
}

// ---------------------------------------------------------------------------------------------

const ready = (base) =>
  fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.status === 200,
    () => false,
  );

async function waitFor(what, probe, limitMs = 60_000) {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs / 1000} s`);
    await sleep(100);
  }
  return (Date.now() - started) / 1000;
}

const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-faults-'));
// Root runs the embedded server as `postgres`, which must reach its data folder.
await chmod(folder, 0o755);
const { EmbeddedPostgres } = await fromDist('src/database/embedded-postgres.js');
const pgPort = await freePort();
const pgDir = path.join(folder, 'pg');
let database = await EmbeddedPostgres.start({ dir: pgDir, port: pgPort });
const dbUrl = await database.ensureDatabase('homecoming_faults');
const smtp = new Smtp();
await smtp.start();
const dovecot = await startDovecot(DOVECOT);
const replicas = [];
const result = { bench: 'faults', duration_s: SECONDS, replicas_count: 2 };
let db;

const replicaEnv = async () => ({
  PATH: process.env.PATH ?? '',
  HOST: '127.0.0.1',
  PORT: String(await freePort()),
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  ROLE: 'all',
  DATABASE_URL: dbUrl,
  DATABASE_POOL_SIZE: '8',
  DATA_ENCRYPTION_KEY: KEY,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  TOTP_REQUIRED_ROLES: 'none',
  INTAKE_WEBHOOK_SECRET: SECRET,
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(smtp.port),
  SMTP_TLS: 'none',
  MAIL_FROM: 'homecoming <cases@faults.test>',
  MAIL_POLL_INTERVAL_MS: '250',
  // A killed sender's claims are taken again after this (the default is 120 s); it must outlast
  // the database restart, or letters sent during it go out again once it expires.
  MAIL_LEASE_SECONDS: '10',
  MAIL_RETRY_BASE_MS: '2000',
  IMAP_HOST: dovecot.host,
  IMAP_PORT: String(dovecot.port),
  IMAP_TLS: 'none',
  IMAP_USER: dovecot.user,
  IMAP_PASSWORD: dovecot.password,
  IMAP_MAILBOXES: 'INBOX',
  IMAP_POLL_INTERVAL_MS: '2000',
  // A killed reader's folder is taken over after this (the default is 60 s).
  IMAP_LEASE_SECONDS: '6',
});

// Each replica's log (JSON lines, warnings and errors) is kept, and errors are counted from it.
const LOGS = process.env.BENCH_FAULTS_LOGS;
async function launch(name, env) {
  const started = await startApp(env, {
    cwd: folder,
    logFile: path.join(LOGS ?? folder, `replica-${name}.log`),
  });
  return { name, env, base: started.base, child: started.child, stop: started.stop };
}

try {
  say(`PostgreSQL (embedded, port ${pgPort}), SMTP on ${smtp.port}, Dovecot on ${dovecot.port}`);
  replicas.push(await launch('A', await replicaEnv()));
  replicas.push(await launch('B', await replicaEnv()));
  say(`replica A ${replicas[0].base}, replica B ${replicas[1].base}`);
  const { session } = await signInStaff(replicas[0].base, ADMIN.email, ADMIN.password, [
    'intake',
    'caseworker',
  ]);
  db = new pg.Pool({ connectionString: dbUrl, max: 2 });
  db.on('error', () => undefined);
  const sql = async (text, params) => (await db.query(text, params)).rows;

  const start = Date.now();
  const stopAt = start + SECONDS * 1_000;
  const phase = (fraction) => start + fraction * SECONDS * 1_000;
  const untilPhase = (fraction) => sleep(Math.max(0, phase(fraction) - Date.now()));
  const load = Promise.all(
    Array.from({ length: WORKERS }, (_, n) => worker(n, replicas, session, stopAt)),
  );
  const imapLoad = appender(dovecot, stopAt);
  say(`load: ${WORKERS} workers over both replicas, and a letter into the INBOX every 0.4 s`);
  const faults = {};

  // 1. PostgreSQL restarted.
  await untilPhase(0.1);
  say('PostgreSQL: stopping');
  await database.stop();
  const notReady = { A: false, B: false };
  const watch = setInterval(() => {
    for (const r of replicas) void ready(r.base).then((ok) => (notReady[r.name] ||= !ok));
  }, 250);
  await sleep(5_000);
  database = await EmbeddedPostgres.start({ dir: pgDir, port: pgPort });
  const pgBack = Date.now();
  say('PostgreSQL: started again after 5 s');
  clearInterval(watch);
  const readyAgain = await waitFor('replicas ready after the restart', async () =>
    (await Promise.all(replicas.map((r) => ready(r.base)))).every(Boolean),
  );
  await waitFor('a write after the restart', async () => {
    const r = await call(replicas[0].base, 'POST', '/api/inquiries', {
      session: { headers: { ...session.headers, 'idempotency-key': randomUUID() } },
      body: inquiryBody(),
    }).catch(() => undefined);
    if (r?.status === 201) tally.created.push(r.json.inquiry.id);
    return r?.status === 201;
  });
  faults.postgres = {
    not_ready_seen: notReady.A && notReady.B,
    ready_s: readyAgain,
    write_s: (Date.now() - pgBack) / 1000,
  };
  say(
    `PostgreSQL: both replicas reported not-ready meanwhile: ${faults.postgres.not_ready_seen}; ` +
      `ready again ${readyAgain.toFixed(1)} s after it came back, writing ${faults.postgres.write_s.toFixed(1)} s after`,
  );

  // 2. The SMTP server away for 30 s.
  await untilPhase(0.22);
  say('SMTP: stopping for 30 s');
  await smtp.stop();
  await sleep(30_000);
  const queued = (
    await sql(`SELECT count(*)::int AS n FROM outbox_message WHERE state <> 'sent'`)
  )[0].n;
  await smtp.start(smtp.port);
  const smtpBack = new Date();
  say(`SMTP: back; ${queued} message(s) waiting`);
  const mailFlowing = await waitFor('mail queued during the SMTP outage sent', async () => {
    const [{ n }] = await sql(
      `SELECT count(*)::int AS n FROM outbox_message
       WHERE created_at < $1 AND state IN ('pending', 'sending')`,
      [smtpBack],
    );
    return n === 0;
  });
  faults.smtp = { queued_count: queued, drained_s: mailFlowing };
  say(`SMTP: everything queued before its return sent ${mailFlowing.toFixed(1)} s after`);

  // 3. The IMAP server away for 30 s.
  await untilPhase(0.5);
  say('IMAP: stopping Dovecot for 30 s');
  await dovecot.stop();
  await sleep(30_000);
  await dovecot.start();
  const imapBack = Date.now();
  say(`IMAP: Dovecot back; ${held.waiting} letter(s) held back`);
  await waitFor('letters held back appended', async () => held.waiting <= 1);
  const appendedBefore = tally.appended.slice();
  await waitFor('intake caught up with the INBOX', async () => {
    const [{ n }] = await sql(
      `SELECT count(DISTINCT message_id)::int AS n FROM inbound_email WHERE message_id = ANY($1)`,
      [appendedBefore],
    );
    return n === appendedBefore.length;
  });
  faults.imap = { caught_up_s: (Date.now() - imapBack) / 1000 };
  say(
    `IMAP: every letter appended so far recorded ${faults.imap.caught_up_s.toFixed(1)} s after its return`,
  );

  // 4. The replica reading the IMAP folder killed with SIGKILL while mail is in flight (the SMTP
  // server answers slowly meanwhile), then started again.
  await untilPhase(0.74);
  smtp.delayMs = 1_500;
  await sleep(3_000);
  const [{ lease_owner: owner }] = await sql(`SELECT lease_owner FROM imap_mailbox`);
  const victim = replicas.findIndex((r) => owner?.includes(`:${r.child.pid}:`));
  const [killed] = replicas.splice(victim < 0 ? 1 : victim, 1);
  const inFlight = (await sql(`SELECT id FROM outbox_message WHERE state = 'sending'`)).map(
    (r) => r.id,
  );
  killed.child.kill('SIGKILL');
  say(
    `replica ${killed.name}: SIGKILL (${victim < 0 ? 'not' : 'it was'} reading the INBOX; ${inFlight.length} outbox row(s) in flight)`,
  );
  await sleep(2_000);
  const relaunchedAt = Date.now();
  replicas.push(await launch(killed.name, killed.env));
  smtp.delayMs = 0;
  const killedReady = (Date.now() - relaunchedAt) / 1000;
  say(`replica ${killed.name}: started again, ready ${killedReady.toFixed(1)} s after its start`);
  await waitFor('outbox rows in flight at the kill sent', async () => {
    const [{ n }] = await sql(
      `SELECT count(*)::int AS n FROM outbox_message WHERE id = ANY($1) AND state <> 'sent'`,
      [inFlight],
    );
    return n === 0;
  });
  const inFlightSent = (Date.now() - relaunchedAt) / 1000;
  const appendedAtRestart = tally.appended.slice();
  await waitFor('intake reading again after the kill', async () => {
    const [{ n }] = await sql(
      `SELECT count(DISTINCT message_id)::int AS n FROM inbound_email WHERE message_id = ANY($1)`,
      [appendedAtRestart],
    );
    return n === appendedAtRestart.length;
  });
  const intakeAgain = (Date.now() - relaunchedAt) / 1000;
  faults.sigkill = {
    in_flight_count: inFlight.length,
    ready_s: killedReady,
    in_flight_sent_s: inFlightSent,
    imap_caught_up_s: intakeAgain,
  };
  say(
    `replica ${killed.name}: after its restart, the ${inFlight.length} row(s) in flight sent in ${inFlightSent.toFixed(1)} s, ` +
      `every letter appended so far recorded in ${intakeAgain.toFixed(1)} s`,
  );

  await load;
  const heldBack = await imapLoad;
  say(`load stopped: ${tally.sent} requests; draining the queues`);

  // Drained: nothing waits in the outbox or undecided in intake, and the INBOX is empty.
  const drainS = await waitFor(
    'queues drained',
    async () => {
      const [{ waiting, undecided }] = await sql(
        `SELECT (SELECT count(*)::int FROM outbox_message WHERE state IN ('pending', 'sending')) AS waiting,
                (SELECT count(*)::int FROM inbound_email WHERE outcome = 'received') AS undecided`,
      );
      return waiting === 0 && undecided === 0 && (await dovecot.list('INBOX')).length === 0;
    },
    120_000,
  );
  say(`drained ${drainS.toFixed(1)} s after the load stopped`);

  // ---- Verification -------------------------------------------------------------------------
  const [{ n: createdFound }] = await sql(
    `SELECT count(*)::int AS n FROM inquiry WHERE id = ANY($1::uuid[])`,
    [tally.created],
  );
  const movedFound = (
    await sql(
      `SELECT count(*)::int AS n FROM inquiry_status_history h
       JOIN unnest($1::uuid[]) AS m(id) ON m.id = h.inquiry_id
       WHERE h.status = 'gathering_information'`,
      [tally.moved.map((m) => m.id)],
    )
  )[0].n;
  const postedFound = (
    await sql(`SELECT count(*)::int AS n FROM inbound_email WHERE id = ANY($1::uuid[])`, [
      tally.posted.map((p) => p.id),
    ])
  )[0].n;
  const messageIds = [...tally.appended, ...tally.posted.map((p) => p.messageId)];
  const [intake] = await sql(
    `SELECT count(*)::int AS rows, count(DISTINCT message_id)::int AS distinct_ids
     FROM inbound_email WHERE message_id = ANY($1)`,
    [messageIds],
  );
  const outbox = await sql(
    `SELECT state, count(*)::int AS n FROM outbox_message GROUP BY state ORDER BY state`,
  );
  const expectedMail = (
    await sql(`SELECT message_id FROM outbox_message WHERE state = 'sent'`)
  ).map((r) => r.message_id);
  const deliveredOnce = expectedMail.filter((id) => smtp.deliveries.has(id)).length;
  const deliveredTwice = [...smtp.deliveries.values()].filter((n) => n > 1).length;
  const [{ n: sentAuditTwice }] = await sql(
    `SELECT count(*)::int AS n FROM (SELECT entity_id FROM audit_event WHERE action = 'mail.sent'
       GROUP BY entity_id HAVING count(*) > 1) twice`,
  );
  const notSent = outbox.filter((r) => r.state !== 'sent' && r.state !== 'suppressed');

  const p = (q) => Math.round(percentile(tally.latencies, q * 100));
  const logLines = { warn: 0, error: 0 };
  for (const name of ['A', 'B']) {
    const text = await readFile(path.join(LOGS ?? folder, `replica-${name}.log`), 'utf8');
    logLines.warn += (text.match(/"level":"warn"/g) ?? []).length;
    logLines.error += (text.match(/"level":"error"/g) ?? []).length;
  }
  console.log('');
  console.log(`requests sent ${tally.sent}, 2xx ${tally.ok}, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
  console.log(
    `errors by kind: ${
      Object.entries(tally.errors)
        .sort((x, y) => y[1] - x[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  console.log(`replica log lines: ${logLines.warn} warnings, ${logLines.error} errors`);
  console.log(
    `writes verified: creates ${createdFound}/${tally.created.length}, transitions ${movedFound}/${tally.moved.length}, ` +
      `webhook messages ${postedFound}/${tally.posted.length}`,
  );
  console.log(
    `mails expected ${expectedMail.length + notSent.reduce((s, r) => s + r.n, 0)}, delivered ${deliveredOnce}, ` +
      `delivered twice ${deliveredTwice}, recorded as sent twice ${sentAuditTwice}; outbox ${outbox.map((r) => `${r.state} ${r.n}`).join(', ')}`,
  );
  console.log(
    `intake expected ${messageIds.length} (IMAP ${tally.appended.length}, webhook ${tally.posted.length}), ` +
      `recorded ${intake.distinct_ids}, rows ${intake.rows}; letters never appended ${heldBack}`,
  );
  const recoveries = {
    postgres_ready_s: faults.postgres.ready_s,
    smtp_drained_s: faults.smtp.drained_s,
    imap_caught_up_s: faults.imap.caught_up_s,
    sigkill_in_flight_sent_s: faults.sigkill.in_flight_sent_s,
    sigkill_imap_caught_up_s: faults.sigkill.imap_caught_up_s,
  };
  const lost =
    tally.created.length -
    createdFound +
    (tally.moved.length - movedFound) +
    (tally.posted.length - postedFound) +
    (messageIds.length - intake.distinct_ids) +
    (expectedMail.length - deliveredOnce) +
    notSent.reduce((s, r) => s + r.n, 0);
  const duplicates = intake.rows - intake.distinct_ids + sentAuditTwice;
  const slowest = Math.max(...Object.values(recoveries));
  console.log(
    `recovery (s after each fault ended): ${Object.entries(recoveries)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
  console.log(
    `goals: nothing lost ${lost === 0 ? 'ok' : `MISS (${lost})`}, no duplicates ${duplicates === 0 ? 'ok' : `MISS (${duplicates})`}, ` +
      `not-ready during the database outage ${faults.postgres.not_ready_seen ? 'ok' : 'MISS'}, ` +
      `recovery ≤ ${RECOVERY_GOAL_S} s ${slowest <= RECOVERY_GOAL_S ? 'ok' : `MISS (${slowest.toFixed(1)} s)`}; ` +
      `mail delivered twice (at-least-once, same Message-ID): ${deliveredTwice}`,
  );
  Object.assign(result, {
    requests_count: tally.sent,
    ok_count: tally.ok,
    errors_count: Object.values(tally.errors).reduce((s, n) => s + n, 0),
    p50_ms: p(0.5),
    p99_ms: p(0.99),
    log_warn_count: logLines.warn,
    log_error_count: logLines.error,
    creates_acked_count: tally.created.length,
    creates_found_count: createdFound,
    transitions_acked_count: tally.moved.length,
    transitions_found_count: movedFound,
    webhook_acked_count: tally.posted.length,
    webhook_found_count: postedFound,
    intake_expected_count: messageIds.length,
    intake_recorded_count: intake.distinct_ids,
    intake_duplicate_count: intake.rows - intake.distinct_ids,
    mail_expected_count: expectedMail.length + notSent.reduce((s, r) => s + r.n, 0),
    mail_delivered_count: deliveredOnce,
    mail_delivered_twice_count: deliveredTwice,
    mail_sent_twice_count: sentAuditTwice,
    lost_count: lost,
    postgres_not_ready_seen: faults.postgres.not_ready_seen,
    sigkill_in_flight_count: faults.sigkill.in_flight_count,
    ...Object.fromEntries(Object.entries(recoveries).map(([k, v]) => [k, Math.round(v * 10) / 10])),
    drain_s: Math.round(drainS * 10) / 10,
  });
} finally {
  await db?.end().catch(() => undefined);
  for (const r of replicas) await r.stop().catch(() => undefined);
  await dovecot.remove().catch(() => undefined);
  await smtp.stop().catch(() => undefined);
  await database.stop().catch(() => undefined);
  await rm(folder, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
