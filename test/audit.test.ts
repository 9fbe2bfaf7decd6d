import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { caseKeys, revealDiff } from '../src/audit/audit-case-keys.js';
import { verifyAuditChain } from '../src/audit/audit-chain.verifier.js';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { eventHash } from '../src/audit/audit-hash.util.js';
import { AuditService, streamOf } from '../src/audit/audit.service.js';
import type { AuditEventInput } from '../src/audit/audit.types.js';
import type { ActorContext } from '../src/common/request-context.js';
import { loadConfig } from '../src/config/app-config.js';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, withClient, type TestDatabase } from './support/test-database.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: a fresh, migrated database per log, so that verify() sees only what a test wrote.

interface AuditLog {
  database: TestDatabase;
  dataSource: DataSource;
  sut: AuditService;
  close(): Promise<void>;
}

async function openLog(poolSize = 10): Promise<AuditLog> {
  const database = await createTestDatabase();
  const options = buildDataSourceOptions(
    loadConfig({ DATABASE_POOL_SIZE: String(poolSize) }).database,
    database.url,
  );
  const dataSource = await new DataSource(options).initialize();
  return {
    database,
    dataSource,
    sut: new AuditService(dataSource),
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

async function withLog<T>(fn: (log: AuditLog) => Promise<T>, poolSize?: number): Promise<T> {
  const log = await openLog(poolSize);
  try {
    return await fn(log);
  } finally {
    await log.close();
  }
}

const staff = (actor: string = randomUUID()): ActorContext => ({
  actor,
  requestId: randomUUID(),
  ip: '203.0.113.7',
});

function makeInput(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: 'inquiry.transition',
    actor: staff(),
    inquiryId: randomUUID(),
    before: { status: 'received' },
    after: { status: 'gathering_information' },
    ...overrides,
  };
}

// Changes rows behind the application's back, as a superuser whose session skips the
// append-only triggers.
async function tamper(log: AuditLog, sql: string, params: unknown[] = []) {
  return withClient(log.database.url, async (client) => {
    await client.query('SET session_replication_role = replica');
    return client.query(sql, params);
  });
}

async function appendMany(log: AuditLog, inputs: AuditEventInput[], apartMs = 0) {
  const events = [];
  for (const input of inputs) {
    events.push(await log.sut.append(input));
    if (apartMs) await new Promise((resolve) => setTimeout(resolve, apartMs));
  }
  return events;
}

async function countEvents(log: AuditLog): Promise<number> {
  const [{ count }] = await log.dataSource.query('SELECT count(*)::int AS count FROM audit_event');
  return count as number;
}

// ---------------------------------------------------------------------------------------------

describe('appending', () => {
  let log: AuditLog;

  beforeAll(async () => {
    log = await openLog(60);
  });

  afterAll(async () => {
    await log.close();
  });

  it('keeps every chain intact under 50 concurrent transactions, some on the same stream', async () => {
    const inquiries = [randomUUID(), randomUUID(), randomUUID()];
    const user = randomUUID();
    const inputs = Array.from({ length: 50 }, (_, i) => {
      if (i % 5 === 0) return makeInput({ inquiryId: undefined, actor: staff('system:intake') });
      if (i % 5 === 1) {
        return makeInput({ inquiryId: undefined, entityType: 'staff_user', entityId: user });
      }
      return makeInput({ inquiryId: inquiries[i % 3] });
    });

    await Promise.all(
      inputs.map((input) =>
        log.dataSource.transaction(async (manager) => {
          await manager.query('SELECT pg_sleep($1)', [Math.random() * 0.01]);
          await log.sut.appendInTransaction(manager, input);
          // Hold the head's lock a little, so that appends to the same stream queue up.
          await manager.query('SELECT pg_sleep($1)', [Math.random() * 0.02]);
        }),
      ),
    );

    expect(await countEvents(log)).toBe(50);
    const streams = (await log.dataSource.query(
      `SELECT stream, array_agg(seq::int ORDER BY seq) AS seqs FROM audit_event GROUP BY stream`,
    )) as { stream: string; seqs: number[] }[];
    expect(streams.map((s) => s.stream).sort()).toEqual(
      [...inquiries.map((i) => `inquiry:${i}`), `staff_user:${user}`, 'actor:system:intake'].sort(),
    );
    for (const { seqs } of streams) {
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    expect(await log.sut.verify()).toEqual({
      intact: true,
      events: 50,
      streams: 5,
      checkpoints: 0,
    });
  });

  it('stores exactly what it hashed, and returns it', async () => {
    const inquiryId = randomUUID();
    const event = await log.sut.append(
      makeInput({
        inquiryId,
        entityType: 'inquiry',
        entityId: inquiryId,
        before: { note: 'Звонила мать', passwordHash: 'x', unchanged: 1 },
        after: { note: 'Звонила мать 😀', passwordHash: 'y', unchanged: 1 },
      }),
    );

    const stored = await log.dataSource.getRepository(AuditEvent).findOneByOrFail({ id: event.id });
    expect(stored).toEqual(event);
    expect(eventHash(stored)).toBe(stored.hash);
    expect(stored.stream).toBe(`inquiry:${inquiryId}`);
    // A case's event: its values sealed under the case's key, readable while the key exists.
    expect(stored.diff).toEqual({
      note: { sealed: expect.any(String) },
      passwordHash: { sealed: expect.any(String) },
    });
    expect(JSON.stringify(stored.diff)).not.toContain('Звонила');
    const keys = await caseKeys(log.dataSource.manager, [inquiryId]);
    expect(revealDiff(stored.diff, keys.get(inquiryId))).toEqual({
      note: { from: 'Звонила мать', to: 'Звонила мать 😀' },
      passwordHash: { from: '[masked]', to: '[masked]' },
    });
    // Without it (erased), the values are gone and the event still verifies.
    expect(revealDiff(stored.diff, undefined)).toEqual({
      note: { erased: true },
      passwordHash: { erased: true },
    });
  });

  it.each<[string, Partial<AuditEventInput>, (i: AuditEventInput) => string]>([
    ['the inquiry', { entityType: 'inquiry', entityId: 'x' }, (i) => `inquiry:${i.inquiryId}`],
    [
      'the entity when there is no inquiry',
      { inquiryId: undefined, entityType: 'staff_user', entityId: 'u1' },
      () => 'staff_user:u1',
    ],
    [
      'the actor when there is neither',
      { inquiryId: undefined, actor: staff('anonymous') },
      () => 'actor:anonymous',
    ],
  ])('puts an event in the stream of %s', (_name, overrides, expected) => {
    const input = makeInput(overrides);
    expect(streamOf(input)).toBe(expected(input));
  });

  it('leaves nothing behind when the caller rolls back: no event, head unchanged', async () => {
    const inquiryId = randomUUID();
    await log.sut.append(makeInput({ inquiryId }));
    const headBefore = await log.dataSource.query('SELECT * FROM audit_stream WHERE stream = $1', [
      `inquiry:${inquiryId}`,
    ]);
    const eventsBefore = await countEvents(log);

    const failed = log.dataSource.transaction(async (manager) => {
      await log.sut.appendInTransaction(manager, makeInput({ inquiryId }));
      await log.sut.appendInTransaction(manager, makeInput({ inquiryId: randomUUID() }));
      throw new Error('the change being audited failed');
    });

    await expect(failed).rejects.toThrow('the change being audited failed');
    expect(await countEvents(log)).toBe(eventsBefore);
    expect(
      await log.dataSource.query('SELECT * FROM audit_stream WHERE stream = $1', [
        `inquiry:${inquiryId}`,
      ]),
    ).toEqual(headBefore);
    expect(await log.sut.verify()).toMatchObject({ intact: true });
  });

  it('refuses a manager that is not inside a transaction', async () => {
    await expect(log.sut.appendInTransaction(log.dataSource.manager, makeInput())).rejects.toThrow(
      'appendInTransaction needs a manager inside a transaction',
    );
  });

  it('makes only appends to the same stream wait for each other', async () => {
    const busy = randomUUID();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const first = new Promise<void>((resolve) => (appended = resolve));
    const holder = log.dataSource.transaction(async (manager) => {
      await log.sut.appendInTransaction(manager, makeInput({ inquiryId: busy }));
      appended();
      await held;
    });
    await first;

    const sameStream = log.sut.append(makeInput({ inquiryId: busy })).then(() => 'done');
    const otherStream = await log.sut.append(makeInput({ inquiryId: randomUUID() }));
    expect(otherStream.seq).toBe(1);
    expect(await Promise.race([sameStream, delay(200).then(() => 'waiting')])).toBe('waiting');

    release();
    await holder;
    expect(await sameStream).toBe('done');
  });
});

describe('the database keeps the log append-only', () => {
  let log: AuditLog;

  beforeAll(async () => {
    log = await openLog();
    await log.sut.append(makeInput());
    await log.sut.writeCheckpoint();
  });

  afterAll(async () => {
    await log.close();
  });

  it.each([
    ['UPDATE', 'audit_event', "UPDATE audit_event SET actor = 'someone else'"],
    ['UPDATE', 'audit_event', 'UPDATE audit_event SET actor = actor WHERE false'],
    ['DELETE', 'audit_event', 'DELETE FROM audit_event'],
    ['TRUNCATE', 'audit_event', 'TRUNCATE audit_event'],
    ['UPDATE', 'audit_checkpoint', "UPDATE audit_checkpoint SET heads = '{}'"],
    ['DELETE', 'audit_checkpoint', 'DELETE FROM audit_checkpoint'],
    ['TRUNCATE', 'audit_checkpoint', 'TRUNCATE audit_checkpoint CASCADE'],
  ])('refuses %s on %s (%s)', async (operation, table, sql) => {
    const error = await log.dataSource.query(sql).then(
      () => undefined,
      (e: { driverError?: pg.DatabaseError }) => e.driverError,
    );

    expect(error?.code).toBe('42501');
    expect(error?.message).toBe(`${table} is append-only: ${operation} refused`);
    expect(await countEvents(log)).toBe(1);
  });
});

describe('verify finds what was changed behind the application', () => {
  // Stream A: five events; stream B: two. Returns the ids in seq order.
  async function seed(log: AuditLog) {
    const a = randomUUID();
    const b = randomUUID();
    const inputs = [a, a, b, a, a, b, a].map((inquiryId, i) =>
      makeInput({ inquiryId, after: { step: i } }),
    );
    const events = await appendMany(log, inputs);
    const ids = (inquiryId: string) =>
      events.filter((e) => e.inquiryId === inquiryId).map((e) => e.id);
    return {
      a: { stream: `inquiry:${a}`, ids: ids(a) },
      b: { stream: `inquiry:${b}`, ids: ids(b) },
    };
  }

  it('reports an intact log with its counts', async () => {
    await withLog(async (log) => {
      await seed(log);
      await log.sut.writeCheckpoint();

      expect(await log.sut.verify()).toEqual({
        intact: true,
        events: 7,
        streams: 2,
        checkpoints: 1,
      });
    });
  });

  it.each([
    ['actor', "actor = 'someone else'"],
    ['diff', `diff = '{"step": {"to": 99}}'`],
    ['occurred_at', "occurred_at = occurred_at + interval '1 millisecond'"],
    ['ip', 'ip = NULL'],
    ['id', 'id = gen_random_uuid()'],
  ])('a changed %s: names that event', async (_column, assignment) => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      const [{ id }] = (
        await tamper(log, `UPDATE audit_event SET ${assignment} WHERE id = $1 RETURNING id`, [
          a.ids[2],
        ])
      ).rows;

      expect(await log.sut.verify()).toEqual({
        intact: false,
        events: 7,
        streams: 2,
        checkpoints: 0,
        problems: 1,
        firstBroken: {
          eventId: id,
          stream: a.stream,
          seq: 3,
          reason: 'hash does not match its contents',
        },
      });
    });
  });

  it('a changed hash: names that event, not the next one whose link it breaks', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      await tamper(log, `UPDATE audit_event SET hash = repeat('a', 64) WHERE id = $1`, [a.ids[2]]);

      expect(await log.sut.verify()).toMatchObject({
        intact: false,
        problems: 2,
        firstBroken: { eventId: a.ids[2], seq: 3, reason: 'hash does not match its contents' },
      });
    });
  });

  it('a changed event whose hash was recomputed: breaks the link from the next event', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      const forged = {
        ...(await log.dataSource.getRepository(AuditEvent).findOneByOrFail({ id: a.ids[2] })),
        actor: 'someone else',
      };
      await tamper(log, 'UPDATE audit_event SET actor = $2, hash = $3 WHERE id = $1', [
        a.ids[2],
        forged.actor,
        eventHash(forged),
      ]);

      expect(await log.sut.verify()).toMatchObject({
        intact: false,
        firstBroken: {
          eventId: a.ids[3],
          seq: 4,
          reason: 'prev_hash does not match the hash of seq 3',
        },
      });
    });
  });

  it('a deleted event in the middle: names the event after the gap', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      await tamper(log, 'DELETE FROM audit_event WHERE id = $1', [a.ids[2]]);

      expect(await log.sut.verify()).toMatchObject({
        intact: false,
        events: 6,
        firstBroken: {
          eventId: a.ids[3],
          stream: a.stream,
          seq: 4,
          reason: 'previous event missing (seq 3 expected, found 4)',
        },
      });
    });
  });

  it('a deleted last event: the head still says where the stream ended', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      await tamper(log, 'DELETE FROM audit_event WHERE id = $1', [a.ids[4]]);

      expect(await log.sut.verify()).toMatchObject({
        intact: false,
        firstBroken: {
          eventId: a.ids[3],
          seq: 4,
          reason: 'stream head says seq 5 but the last event is seq 4',
        },
      });
    });
  });

  it('a deleted last event with its head rewritten: caught by the checkpoint that saw it', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      const checkpoint = await log.sut.writeCheckpoint();
      const cutShort = async () => {
        await tamper(log, 'DELETE FROM audit_event WHERE id = $1', [a.ids[4]]);
        await tamper(
          log,
          `UPDATE audit_stream SET last_seq = 4, last_hash = e.hash, prev_hash = e.prev_hash
           FROM audit_event e WHERE audit_stream.stream = $1 AND e.id = $2`,
          [a.stream, a.ids[3]],
        );
      };
      await cutShort();

      expect(await log.sut.verify()).toEqual({
        intact: false,
        events: 6,
        streams: 2,
        checkpoints: 1,
        problems: 1,
        firstBroken: {
          eventId: a.ids[3],
          stream: a.stream,
          seq: 4,
          checkpointId: checkpoint!.id,
          reason: `checkpoint ${checkpoint!.id} recorded seq 5 but the last event is seq 4`,
        },
      });
    });
  });

  it('the same cut before any checkpoint goes unnoticed — which is why checkpoints exist', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      await tamper(log, 'DELETE FROM audit_event WHERE id = $1', [a.ids[4]]);
      await tamper(
        log,
        `UPDATE audit_stream SET last_seq = 4, last_hash = e.hash, prev_hash = e.prev_hash
         FROM audit_event e WHERE audit_stream.stream = $1 AND e.id = $2`,
        [a.stream, a.ids[3]],
      );

      expect(await log.sut.verify()).toMatchObject({ intact: true, events: 6 });
    });
  });

  it('a deleted checkpoint in the middle of the checkpoint chain', async () => {
    await withLog(async (log) => {
      const inquiryId = randomUUID();
      for (let i = 0; i < 3; i++) {
        await log.sut.append(makeInput({ inquiryId }));
        await log.sut.writeCheckpoint();
      }
      await tamper(log, 'DELETE FROM audit_checkpoint WHERE id = 2');

      expect(await log.sut.verify()).toMatchObject({
        intact: false,
        checkpoints: 2,
        firstBroken: {
          eventId: null,
          checkpointId: 3,
          reason: 'checkpoint missing (id 2 expected, found 3)',
        },
      });
    });
  });

  it('pages through the log in batches of any size with the same result', async () => {
    await withLog(async (log) => {
      const { a } = await seed(log);
      await appendMany(
        log,
        Array.from({ length: 6 }, () => makeInput({ inquiryId: undefined })),
      );
      const atBatchSize = (batchSize: number) =>
        log.dataSource.transaction('REPEATABLE READ', (m) => verifyAuditChain(m, { batchSize }));

      for (const batchSize of [1, 2, 3, 5, 100]) {
        expect(await atBatchSize(batchSize)).toEqual(await log.sut.verify());
      }
      await tamper(log, 'DELETE FROM audit_event WHERE id = $1', [a.ids[1]]);
      for (const batchSize of [1, 2, 3]) {
        expect(await atBatchSize(batchSize)).toMatchObject({
          intact: false,
          firstBroken: {
            eventId: a.ids[2],
            reason: 'previous event missing (seq 2 expected, found 3)',
          },
        });
      }
    });
  });
});

describe('checkpoints', () => {
  it('record only the heads that moved, and nothing when none did', async () => {
    await withLog(async (log) => {
      const [x, y] = [randomUUID(), randomUUID()];
      await appendMany(log, [makeInput({ inquiryId: x }), makeInput({ inquiryId: y })]);
      const first = await log.sut.writeCheckpoint();
      const second = await log.sut.append(makeInput({ inquiryId: y }));
      const next = await log.sut.writeCheckpoint();

      expect(Object.keys(first!.heads).sort()).toEqual([`inquiry:${x}`, `inquiry:${y}`].sort());
      expect(next).toMatchObject({
        id: 2,
        prevHash: first!.hash,
        heads: { [`inquiry:${y}`]: { seq: 2, hash: second.hash } },
      });
      expect(Object.keys(next!.heads)).toHaveLength(1);
      expect(await log.sut.writeCheckpoint()).toBeNull();
    });
  });

  it('do not wait for a transaction still appending; the next checkpoint takes its head', async () => {
    await withLog(async (log) => {
      const inquiryId = randomUUID();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let appended!: () => void;
      const inFlight = new Promise<void>((resolve) => (appended = resolve));
      const holder = log.dataSource.transaction(async (manager) => {
        await log.sut.appendInTransaction(manager, makeInput({ inquiryId }));
        appended();
        await held;
      });
      await inFlight;
      await log.sut.append(makeInput());

      const during = await log.sut.writeCheckpoint();
      release();
      await holder;
      const after = await log.sut.writeCheckpoint();

      expect(Object.keys(during!.heads)).not.toContain(`inquiry:${inquiryId}`);
      expect(Object.keys(after!.heads)).toEqual([`inquiry:${inquiryId}`]);
      expect(await log.sut.verify()).toMatchObject({ intact: true, checkpoints: 2 });
    });
  });

  it('from several replicas at once take turns and keep one chain', async () => {
    await withLog(async (log) => {
      const replicas = [new AuditService(log.dataSource), new AuditService(log.dataSource)];
      // More than nine, so that ids must sort as numbers.
      for (let round = 0; round < 11; round++) {
        await appendMany(log, [makeInput(), makeInput()]);
        await Promise.all(replicas.map((r) => r.writeCheckpoint()));
      }

      const ids = (await log.dataSource.query(
        'SELECT id::int FROM audit_checkpoint ORDER BY id',
      )) as { id: number }[];
      expect(ids.map((r) => r.id)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      expect(await log.sut.verify()).toMatchObject({ intact: true, events: 22, checkpoints: 11 });
    });
  });
});

// Whoever reads the log in these tests: an auditor, who sees every value.
const VIEWER = { actor: { actor: 'test:auditor' }, roles: ['auditor'] };

describe('listing', () => {
  let log: AuditLog;
  const inquiryId = randomUUID();
  const user = randomUUID();

  beforeAll(async () => {
    log = await openLog();
    // Times are kept to the millisecond; events within one millisecond have no order between
    // streams, so each is appended in a millisecond of its own.
    await appendMany(
      log,
      [
        makeInput({ inquiryId, action: 'inquiry.create', actor: staff(user) }),
        makeInput({ inquiryId, action: 'inquiry.assign', actor: staff(user) }),
        makeInput({
          inquiryId: undefined,
          action: 'user.login',
          actor: staff(user),
          entityType: 'staff_user',
          entityId: user,
        }),
        makeInput({ inquiryId, action: 'inquiry.transition' }),
      ],
      3,
    );
  });

  afterAll(async () => {
    await log.close();
  });

  it.each<[string, Record<string, string>, string[]]>([
    [
      'every event, newest first',
      {},
      ['inquiry.transition', 'user.login', 'inquiry.assign', 'inquiry.create'],
    ],
    ['by inquiry', { inquiryId }, ['inquiry.transition', 'inquiry.assign', 'inquiry.create']],
    ['by actor', { actorId: user }, ['user.login', 'inquiry.assign', 'inquiry.create']],
    ['by action', { action: 'inquiry.assign' }, ['inquiry.assign']],
    ['by entity', { entityType: 'staff_user', entityId: user }, ['user.login']],
    ['by time', { from: '2000-01-01', to: '2000-01-02' }, []],
  ])('%s', async (_name, filters, actions) => {
    const page = await log.sut.list(
      {
        ...filters,
        from: filters.from ? new Date(filters.from) : undefined,
        to: filters.to ? new Date(filters.to) : undefined,
        page: 1,
        pageSize: 50,
      },
      VIEWER,
    );

    expect(page.items.map((e) => e.action)).toEqual(actions);
    expect(page.total).toBe(actions.length);
  });

  it('pages, with the total over all pages', async () => {
    const second = await log.sut.list({ inquiryId, page: 2, pageSize: 2 }, VIEWER);

    expect(second).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(second.items.map((e) => e.action)).toEqual(['inquiry.create']);
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP, through the whole application: sign-in, access policy, validation, problem documents.

describe('GET /api/audit and /api/audit/verify', () => {
  let sut: TestApp;
  let auditor: SignedIn;
  let caseworker: SignedIn;

  beforeAll(async () => {
    sut = await createTestApp();
    auditor = await signedInStaff(sut, { roles: ['auditor'] });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    await sut.app.get(AuditService).append(makeInput({ action: 'inquiry.create' }));
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each(['/api/audit', '/api/audit/verify'])('%s needs a signed-in user', async (path) => {
    const res = await request(sut.app.getHttpServer() as App).get(path);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthorized' });
  });

  it.each(['/api/audit', '/api/audit/verify'])('%s is refused to a caseworker', async (path) => {
    const res = await caseworker.agent.get(path);

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'forbidden' });
  });

  it('lists events as a page', async () => {
    const res = await auditor.agent.get('/api/audit?action=inquiry.create&pageSize=10');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, page: 1, pageSize: 10 });
    expect(res.body.items[0]).toMatchObject({
      action: 'inquiry.create',
      seq: 1,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it.each([
    ['an unknown parameter', 'actor=x', 'actor', 'whitelistValidation'],
    ['a malformed date', 'from=yesterday', 'from', 'matches'],
    ['a local time without offset', 'to=2026-05-01T10:00', 'to', 'matches'],
    ['a page size over 200', 'pageSize=1000', 'pageSize', 'max'],
    ['a page that is not a number', 'page=two', 'page', 'isInt'],
    ['a malformed inquiry id', 'inquiryId=HC-2026-000123', 'inquiryId', 'isUuid'],
  ])('refuses %s with a problem naming the field', async (_name, query, field, rule) => {
    const res = await auditor.agent.get(`/api/audit?${query}`);

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'validation_failed' });
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
  });

  it('verifies, and records who asked as an audit.verify event', async () => {
    const res = await auditor.agent.get('/api/audit/verify');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      intact: true,
      events: expect.any(Number),
      streams: expect.any(Number),
      checkpoints: 0,
    });
    const recorded = await sut.app
      .get(AuditService)
      .list({ action: 'audit.verify', page: 1, pageSize: 1 }, VIEWER);
    expect(recorded.items[0]).toMatchObject({
      actor: auditor.user.id,
      requestId: res.headers['x-request-id'],
      diff: { intact: { to: true }, events: { to: res.body.events } },
    });
  });
});

describe('the checkpoint schedule', () => {
  it('writes checkpoints every AUDIT_CHECKPOINT_INTERVAL_MS, in a process that runs the jobs', async () => {
    // The test default is an API process (ROLE=api), which leaves checkpoints to the workers.
    const sut = await createTestApp({
      env: { AUDIT_CHECKPOINT_INTERVAL_MS: '100', ROLE: 'worker' },
    });
    try {
      const event = await sut.app.get(AuditService).append(makeInput());
      const dataSource = sut.app.get(DataSource);
      // The first admin, created at start-up, may be in an earlier checkpoint than this event.
      let recorded: { id: string }[] = [];
      for (let i = 0; i < 50 && recorded.length === 0; i++) {
        await delay(100);
        recorded = await dataSource.query(`SELECT id FROM audit_checkpoint WHERE heads ? $1`, [
          event.stream,
        ]);
      }

      expect(recorded).toHaveLength(1);
    } finally {
      await sut.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, each run on a fresh database.

const STREAMS = 6;
const COLUMNS = [
  'id',
  'stream',
  'seq',
  'occurred_at',
  'actor',
  'action',
  'entity_type',
  'entity_id',
  'inquiry_id',
  'diff',
  'request_id',
  'ip',
  'prev_hash',
  'hash',
];

function inputForStream(index: number, ids: string[], after: Record<string, unknown> = {}) {
  if (index < 3) return makeInput({ inquiryId: ids[index], after });
  if (index === 3) {
    return makeInput({ inquiryId: undefined, entityType: 'staff_user', entityId: ids[3], after });
  }
  return makeInput({
    inquiryId: undefined,
    actor: staff(index === 4 ? 'system:intake' : 'anonymous'),
    after,
  });
}

async function runConcurrently<T>(tasks: (() => Promise<T>)[], concurrency: number) {
  let next = 0;
  const results: T[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('properties of the chain', () => {
  const transaction = fc.record({
    // Streams are appended in a stable order within a transaction (see AuditService).
    streams: fc
      .array(fc.integer({ min: 0, max: STREAMS - 1 }), { minLength: 1, maxLength: 3 })
      .map((s) => [...s].sort()),
    rollback: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    holdMs: fc.integer({ min: 0, max: 4 }),
  });

  it('any interleaving of appends and checkpoints verifies as intact, every event present', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(transaction, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (transactions, concurrency, batchSize, checkpointsAfter) => {
          await withLog(async (log) => {
            const ids = Array.from({ length: STREAMS }, () => randomUUID());
            const checkpointAt = new Set(checkpointsAfter.map((n) => n % transactions.length));
            const committed = await runConcurrently(
              transactions.map((tx, i) => async () => {
                const appended = await log.dataSource
                  .transaction(async (manager) => {
                    for (const s of tx.streams) {
                      await log.sut.appendInTransaction(manager, inputForStream(s, ids));
                    }
                    await delay(tx.holdMs);
                    if (tx.rollback) throw new Error('rolled back');
                    return tx.streams.length;
                  })
                  .catch(() => 0);
                if (checkpointAt.has(i)) await log.sut.writeCheckpoint();
                return appended;
              }),
              concurrency,
            );
            const expected = committed.reduce((a, b) => a + b, 0);

            const result = await log.dataSource.transaction('REPEATABLE READ', (m) =>
              verifyAuditChain(m, { batchSize }),
            );
            expect(result).toMatchObject({ intact: true, events: expected });
            expect(await countEvents(log)).toBe(expected);
          }, 12);
        },
      ),
      { numRuns: 15 },
    );
  });

  const column = fc.constantFrom(...COLUMNS);
  const text = fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '7',
      ' ',
      'я',
      'ё',
      '"',
      '\\',
      '/',
      '\n',
      '\u001f',
      '\u007f',
      '\u2028',
      '\u0000',
      '\ud800',
      '😀',
    ),
    maxLength: 8,
  });
  const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

  it('any single-byte change to any stored column of any event makes verify name that event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            stream: fc.integer({ min: 0, max: STREAMS - 1 }),
            after: fc.dictionary(text, value, { maxKeys: 3 }),
            requestId: fc.option(text, { nil: undefined }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.boolean(),
        fc.nat(),
        column,
        fc.nat(),
        fc.integer({ min: 0x20, max: 0x7e }),
        async (appends, checkpoint, which, columnName, position, byte) => {
          await withLog(async (log) => {
            const ids = Array.from({ length: STREAMS }, () => randomUUID());
            const events = await appendMany(
              log,
              appends.map((a) => {
                const input = inputForStream(a.stream, ids, a.after);
                return { ...input, actor: { ...input.actor, requestId: a.requestId } };
              }),
            );
            if (checkpoint) await log.sut.writeCheckpoint();
            const target = events[which % events.length];

            // A NULL column has no byte to change: take the next column that has one.
            let changedId: string | undefined;
            for (let c = 0; changedId === undefined && c < COLUMNS.length; c++) {
              const name = COLUMNS[(COLUMNS.indexOf(columnName) + c) % COLUMNS.length];
              changedId = await changeOneByte(log, target.id, name, position, byte);
            }

            const result = await log.sut.verify();
            expect(result).toMatchObject({ intact: false, firstBroken: { eventId: changedId } });
          });
        },
      ),
      { numRuns: 20 },
    );
  });
});

// Replaces one character of the column's text form, trying positions and characters from the
// given ones until PostgreSQL stores a value that really differs. Returns the event's id after
// the change (the id itself may be what changed).
async function changeOneByte(
  log: AuditLog,
  id: string,
  columnName: string,
  position: number,
  byte: number,
): Promise<string | undefined> {
  return withClient(log.database.url, async (client) => {
    await client.query('SET session_replication_role = replica');
    const read = async (eventId: string) =>
      (
        await client.query(`SELECT ${columnName}::text AS v FROM audit_event WHERE id = $1`, [
          eventId,
        ])
      ).rows[0]?.v as string | null | undefined;
    const before = await read(id);
    if (before === null || before === undefined || before.length === 0) return undefined;
    const type = columnName === 'seq' ? 'bigint' : columnName === 'diff' ? 'jsonb' : 'text';
    const cast = ['id', 'inquiry_id'].includes(columnName)
      ? 'uuid'
      : columnName === 'occurred_at'
        ? 'timestamptz'
        : type;
    const chars = [...before];
    for (let attempt = 0; attempt < chars.length * 95; attempt++) {
      const at = (position + attempt) % chars.length;
      const replacement = String.fromCharCode(
        0x20 + ((byte - 0x20 + Math.floor(attempt / chars.length)) % 95),
      );
      if (replacement === chars[at]) continue;
      const candidate = [...chars.slice(0, at), replacement, ...chars.slice(at + 1)].join('');
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(
          `UPDATE audit_event SET ${columnName} = $2::${cast} WHERE id = $1 RETURNING id::text AS id`,
          [id, candidate],
        );
        const newId = rows[0].id as string;
        if ((await read(newId)) !== before) {
          await client.query('COMMIT');
          return newId;
        }
        await client.query('ROLLBACK');
      } catch {
        await client.query('ROLLBACK');
      }
    }
    return undefined;
  });
}
