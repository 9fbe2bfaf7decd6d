// `npm run bench:audit`: what the audit trail costs an audited write. WRITERS concurrent writers
// run transactions that insert one small row, (a) alone and (b) with its audit event appended
// through the real AuditService from dist/ in the same transaction, events spread over
// INQUIRIES inquiries at random like real traffic. Each mode runs for SECONDS after a warm-up,
// twice, in alternating order, so that drift in the machine's load touches both alike. The last
// line of output is one JSON object. See bench/README.md.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import {
  answers,
  dropDatabase,
  ensureBuilt,
  freePort,
  fromDist,
  percentile,
  withClient,
} from './lib.mjs';

const WRITERS = 16;
const INQUIRIES = 1_000;
const STAFF = 20;
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const ROUNDS = 2;
const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DATABASE = 'homecoming_bench_audit';

// ---------------------------------------------------------------------------------------------
// Where to run: DATABASE_URL's server, else the local PostgreSQL, else an embedded one. A
// scratch database is created there and dropped at the end (audit rows cannot be deleted, so
// the benchmark never writes into a database that outlives it).

async function chooseServer() {
  if (process.env.DATABASE_URL) {
    return { adminUrl: process.env.DATABASE_URL, source: 'DATABASE_URL' };
  }
  if (await answers(LOCAL_ADMIN_URL)) {
    return { adminUrl: LOCAL_ADMIN_URL, source: 'local PostgreSQL on 127.0.0.1:5432' };
  }
  const { EmbeddedPostgres } = await fromDist('src/database/embedded-postgres.js');
  const folder = await mkdtemp(path.join(os.tmpdir(), 'homecoming-bench-audit-'));
  await chmod(folder, 0o755); // as root the server runs as `postgres`, which must enter
  const server = await EmbeddedPostgres.start({
    dir: path.join(folder, 'pg'),
    port: await freePort(),
  });
  return {
    adminUrl: server.url,
    source: `embedded PostgreSQL in ${folder}`,
    stop: async () => {
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

function urlFor(adminUrl, database) {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// The workload.

function makeWorkload(dataSource, audit) {
  const inquiries = Array.from({ length: INQUIRIES }, () => randomUUID());
  const staff = Array.from({ length: STAFF }, () => randomUUID());
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const insertItem = (manager, id, inquiryId, note) =>
    manager.query('INSERT INTO bench_item (id, inquiry_id, note) VALUES ($1, $2, $3)', [
      id,
      inquiryId,
      note,
    ]);
  return {
    plain: () =>
      dataSource.transaction(async (manager) => {
        await insertItem(manager, randomUUID(), pick(inquiries), 'called back, no answer');
      }),
    audited: () =>
      dataSource.transaction(async (manager) => {
        const id = randomUUID();
        const inquiryId = pick(inquiries);
        const note = 'called back, no answer';
        await insertItem(manager, id, inquiryId, note);
        await audit.appendInTransaction(manager, {
          action: 'inquiry.note_add',
          actor: { actor: pick(staff), requestId: randomUUID(), ip: '10.0.0.7' },
          entityType: 'bench_item',
          entityId: id,
          inquiryId,
          after: { note },
        });
      }),
  };
}

// WRITERS loops for the duration; returns the transactions completed and their latencies.
async function runPhase(transaction, seconds) {
  const deadline = performance.now() + seconds * 1_000;
  const latencies = [];
  let failures = 0;
  const writer = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await transaction();
        latencies.push(performance.now() - started);
      } catch (error) {
        failures += 1;
        if (failures === 1) console.log(`  first failure: ${error.message}`);
      }
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return { latencies, failures, elapsedS: (performance.now() - startedAt) / 1_000 };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureBuilt();
  const { loadConfig } = await fromDist('src/config/app-config.js');
  const { buildDataSourceOptions } = await fromDist('src/database/data-source-options.js');
  const { runPendingMigrations } = await fromDist('src/database/migrations.util.js');
  const { AuditService } = await fromDist('src/audit/audit.service.js');

  const server = await chooseServer();
  await withClient(server.adminUrl, async (admin) => {
    await dropDatabase(admin, BENCH_DATABASE);
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
  const options = buildDataSourceOptions(
    loadConfig({ DATABASE_POOL_SIZE: String(WRITERS + 4) }).database,
    urlFor(server.adminUrl, BENCH_DATABASE),
  );
  const dataSource = await new DataSource(options).initialize();
  let interrupted = false;
  const cleanup = async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await withClient(server.adminUrl, (admin) => dropDatabase(admin, BENCH_DATABASE)).catch(
      (error) => console.log(`could not drop ${BENCH_DATABASE}: ${error.message}`),
    );
    await server.stop?.();
  };
  process.once('SIGINT', () => {
    interrupted = true;
    console.log('\ninterrupted: cleaning up…');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    await runPendingMigrations(dataSource);
    await dataSource.query(
      'CREATE TABLE bench_item (id uuid PRIMARY KEY, inquiry_id uuid NOT NULL, note text NOT NULL)',
    );
    const [{ server_version: version }] = await dataSource.query('SHOW server_version');
    const audit = new AuditService(dataSource);
    const workload = makeWorkload(dataSource, audit);

    console.log(
      `audit benchmark: node ${process.version}, ${os.cpus().length} CPU(s); PostgreSQL ${version} ` +
        `(${server.source}, scratch database ${BENCH_DATABASE})`,
    );
    console.log(
      `${WRITERS} writers; each transaction inserts one bench_item row, the audited one also ` +
        `appends its event (${INQUIRIES} inquiries at random); ${WARM_UP_SECONDS} s warm-up + ` +
        `${SECONDS} s per mode, ${ROUNDS} rounds in alternating order.\n`,
    );

    const totals = {
      plain: { count: 0, s: 0, latencies: [] },
      audited: { count: 0, s: 0, latencies: [] },
    };
    let failures = 0;
    for (let round = 1; round <= ROUNDS && !interrupted; round++) {
      const order = round % 2 === 1 ? ['plain', 'audited'] : ['audited', 'plain'];
      for (const mode of order) {
        await runPhase(workload[mode], WARM_UP_SECONDS);
        const phase = await runPhase(workload[mode], SECONDS);
        const total = totals[mode];
        total.count += phase.latencies.length;
        total.s += phase.elapsedS;
        for (const l of phase.latencies) total.latencies.push(l);
        failures += phase.failures;
        console.log(
          `  round ${round} ${mode.padEnd(7)} ${Math.round(phase.latencies.length / phase.elapsedS)} tx/s, ` +
            `p50 ${percentile(phase.latencies, 50).toFixed(1)} ms, ` +
            `p99 ${percentile(phase.latencies, 99).toFixed(1)} ms` +
            (phase.failures ? `, ${phase.failures} failed` : ''),
        );
      }
    }

    const rate = (mode) => totals[mode].count / totals[mode].s;
    const p99 = (mode) => percentile(totals[mode].latencies, 99);
    const verifyStarted = performance.now();
    const verification = await audit.verify();
    const verifyMs = performance.now() - verifyStarted;

    const json = {
      bench: 'audit',
      plain_tx_per_s: Math.round(rate('plain')),
      audited_tx_per_s: Math.round(rate('audited')),
      ratio: Math.round((rate('audited') / rate('plain')) * 100) / 100,
      plain_p99_ms: Math.round(p99('plain') * 10) / 10,
      audited_p99_ms: Math.round(p99('audited') * 10) / 10,
      writers: WRITERS,
      inquiries: INQUIRIES,
      seconds_per_mode: SECONDS * ROUNDS,
      events_count: verification.events,
      verify_ms: Math.round(verifyMs),
      chain_intact: verification.intact,
      failures_count: failures,
      cpus: os.cpus().length,
    };
    console.log('\nsummary:');
    console.log(`  plain     ${json.plain_tx_per_s} tx/s, p99 ${json.plain_p99_ms} ms`);
    console.log(`  audited   ${json.audited_tx_per_s} tx/s, p99 ${json.audited_p99_ms} ms`);
    console.log(`  ratio     ${json.ratio} (audited / plain; the goal is ≥ 0.5)`);
    console.log(
      `  verify    ${verification.intact ? 'intact' : 'BROKEN'}: ${verification.events} events in ` +
        `${verification.streams} streams checked in ${json.verify_ms} ms`,
    );
    console.log(JSON.stringify(json));
    if (!verification.intact || failures > 0) process.exitCode = 1;
  } finally {
    if (!interrupted) await cleanup();
  }
}

await main();
