// `npm run bench:mail`: queue 5,000 notifications and let the app drain them to a local SMTP sink.
//   baseline: nodemailer in this process sending 5,000 ready-made messages to the same sink over
//             the same number of pooled connections (what SMTP alone allows here);
//   app:      the built app (dist/) with its sender on, against a scratch database: from the commit
//             of 5,000 outbox rows to the last message accepted by the sink. Each row is claimed,
//             rendered from its template, addressed, threaded, sent and recorded (state + audit).
// Prints messages per second, the app/baseline ratio and the app's peak RSS; checks that every
// row is sent and no message arrived twice. The last line of output is one JSON object.
// Goal (issue 6): ≥ 300 messages/s, RSS ≤ 300 MB.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import {
  chooseServer,
  readRss,
  dropDatabase,
  ensureBuilt,
  startApp,
  freePort,
  withClient,
} from './lib.mjs';

const MESSAGES = Number(process.env.BENCH_MAIL_MESSAGES ?? 5_000);
const INQUIRIES = Math.max(1, Math.ceil(MESSAGES / 10));
const POOL = 5;
const DATABASE = 'homecoming_bench_mail';
const TIMEOUT_MS = 10 * 60_000;

ensureBuilt();

// The sink: accepts everything, counts messages and Message-IDs.
const sink = { count: 0, ids: new Map(), lastAt: 0 };
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  closeTimeout: 1_000,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (chunk) => {
      if (head.length < 4096) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? `unknown-${sink.count}`;
      sink.ids.set(id, (sink.ids.get(id) ?? 0) + 1);
      sink.count += 1;
      sink.lastAt = performance.now();
      callback();
    });
  },
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const smtpPort = server.server.address().port;

async function baseline() {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: POOL,
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const start = performance.now();
  const before = sink.count;
  let next = 0;
  const worker = async () => {
    while (next < MESSAGES) {
      const i = next++;
      await transport.sendMail({
        from: 'homecoming <cases@bench.test>',
        to: `mother${i}@bench.test`,
        subject: `[HC-2026-${String(i).padStart(6, '0')}] Мы получили ваше обращение`,
        text: 'Здравствуйте!\n\nМы получили ваше обращение.',
        html: '<p>Здравствуйте!</p><p>Мы получили ваше обращение.</p>',
        messageId: `<baseline-${i}@bench.test>`,
      });
    }
  };
  await Promise.all(Array.from({ length: POOL }, worker));
  const seconds = (performance.now() - start) / 1000;
  transport.close();
  return { perS: (sink.count - before) / seconds, seconds };
}

const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-mail-'));
const dbServer = await chooseServer(folder);
const dbUrl = Object.assign(new URL(dbServer.adminUrl), { pathname: `/${DATABASE}` }).toString();
let app;
let stopApp;
let result;
try {
  const base = await baseline();
  console.log(
    `baseline (nodemailer → sink, ${POOL} pooled connections): ${Math.round(base.perS)} messages/s`,
  );

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
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMTP_TLS: 'none',
    SMTP_POOL_SIZE: String(POOL),
    MAIL_FROM: 'homecoming <cases@bench.test>',
    MAIL_POLL_INTERVAL_MS: '50',
    MAIL_BATCH_SIZE: '100',
  };
  delete env.EMBEDDED_PG_DIR;
  const started = await startApp(env, { cwd: folder });
  app = started.child;
  stopApp = started.stop;

  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  // Families (one inquiry each), then MESSAGES outbox rows in one transaction: ten per family,
  // acknowledgements and caseworkers' letters, in the families' three languages.
  await db.query('BEGIN');
  await db.query(
    `CREATE TEMP TABLE seed ON COMMIT DROP AS
     SELECT g AS n, gen_random_uuid() AS inquirer_id, gen_random_uuid() AS inquiry_id
     FROM generate_series(1, $1::int) g`,
    [INQUIRIES],
  );
  await db.query(`INSERT INTO inquirer (id, full_name, emails, preferred_language)
    SELECT inquirer_id, 'Петрова Ольга ' || n, ARRAY['mother' || n || '@bench.test'],
      (ARRAY['ru','uk','en'])[1 + n % 3] FROM seed`);
  await db.query(`INSERT INTO search (id) SELECT inquiry_id FROM seed`);
  await db.query(`INSERT INTO inquiry (id, reference, channel, status, inquirer_id, relationship, search_id)
    SELECT inquiry_id, 'HC-2026-' || lpad(n::text, 6, '0'), 'email', 'received', inquirer_id,
      'mother', inquiry_id FROM seed`);
  await db.query(`INSERT INTO sought_person (inquiry_id, surname, given_name, birth_year)
    SELECT inquiry_id, 'Петров', 'Алексей', 2000 FROM seed`);
  await db.query('COMMIT');
  const memory = { peakMb: 0 };
  const poll = setInterval(() => {
    const m = readRss(app.pid);
    if (m) memory.peakMb = Math.max(memory.peakMb, m.rssMb, m.hwmMb);
  }, 100);
  const before = sink.count;
  const start = performance.now();
  await db.query(
    `INSERT INTO outbox_message (event_type, inquiry_id, recipient_kind, recipient_id, payload,
       family_stage)
     SELECT CASE WHEN k = 1 THEN 'family.acknowledgement' ELSE 'family.message' END,
       s.inquiry_id, 'inquirer', s.inquirer_id,
       jsonb_build_object('subject', 'Вопрос ' || k, 'body', 'Текст письма ' || k), 'received'
     FROM (SELECT id AS inquiry_id, inquirer_id FROM inquiry) s CROSS JOIN generate_series(1, 10) k
     LIMIT $1`,
    [MESSAGES],
  );
  const deadline = Date.now() + TIMEOUT_MS;
  while (sink.count - before < MESSAGES && Date.now() < deadline && app.exitCode === null) {
    await sleep(50);
  }
  const seconds = (sink.lastAt - start) / 1000;
  clearInterval(poll);
  const [{ sent, other }] = (
    await db.query(
      `SELECT count(*) FILTER (WHERE state = 'sent')::int AS sent,
              count(*) FILTER (WHERE state <> 'sent')::int AS other FROM outbox_message`,
    )
  ).rows;
  await db.end();
  const delivered = sink.count - before;
  const duplicates = [...sink.ids.values()].filter((n) => n > 1).length;
  const perS = delivered / seconds;
  console.log(
    `app (${dbServer.source}): ${delivered} of ${MESSAGES} messages in ${seconds.toFixed(1)} s = ` +
      `${Math.round(perS)} messages/s (ratio to baseline ${(perS / base.perS).toFixed(2)}); ` +
      `rows sent ${sent}, not sent ${other}; duplicates ${duplicates}; peak RSS ${memory.peakMb.toFixed(0)} MB`,
  );
  console.log(
    `goals: ≥ 300 messages/s ${perS >= 300 ? 'ok' : 'MISS'}, RSS ≤ 300 MB ${memory.peakMb <= 300 ? 'ok' : 'MISS'}`,
  );
  result = {
    bench: 'mail',
    messages_count: MESSAGES,
    delivered_count: delivered,
    duplicates_count: duplicates,
    unsent_rows_count: other,
    app_per_s: Math.round(perS),
    baseline_per_s: Math.round(base.perS),
    ratio: Math.round((perS / base.perS) * 100) / 100,
    drain_s: Math.round(seconds * 10) / 10,
    rss_peak_mb: Math.round(memory.peakMb),
    smtp_pool_size: POOL,
  };
} finally {
  await stopApp?.();
  await new Promise((r) => server.close(r));
  await withClient(dbServer.adminUrl, (c) => dropDatabase(c, DATABASE)).catch(() => undefined);
  await dbServer.stop?.();
  await rm(folder, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
