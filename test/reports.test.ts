import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

const DAY = 86_400_000;
// The paths a case can take, as status sequences (the last is where it stands).
const PATHS = [
  ['received'],
  ['received', 'gathering_information'],
  ['received', 'gathering_information', 'verifying'],
  ['received', 'closed_withdrawn'],
  ['received', 'gathering_information', 'verifying', 'closed_not_found'],
  ['received', 'gathering_information', 'verifying', 'detention_confirmed', 'travel_planning'],
  [
    'received',
    'gathering_information',
    'verifying',
    'detention_confirmed',
    'closed_declined_by_prisoner',
  ],
];
const CHANNELS = ['phone', 'email', 'web', 'in_person'];

interface Made {
  id: string;
  channel: string;
  assignedTo: string | null;
  createdAt: Date;
  history: { status: string; enteredAt: Date }[];
  overdueCallbacks: number;
}

// Monday 00:00 UTC of the week of `d`, as the report counts weeks.
const weekOf = (d: Date) => {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
};

// Reports checked against figures computed here, from the rows this test wrote — a seeded set
// of cases with known histories — not against numbers taken from the implementation.
describe('reports', () => {
  let sut: TestApp;
  let supervisor: SignedIn;
  let caseworkers: SignedIn[];
  const made: Made[] = [];

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const report = async (name: string, query: Record<string, string> = {}) => {
    const res = await supervisor.agent.get(`/api/reports/${name}`).query(query);
    expect(res.status).toBe(200);
    return res.body.rows as Record<string, unknown>[];
  };

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    caseworkers = [
      await signedInStaff(sut, { roles: ['caseworker'], displayName: 'Олена Коваль' }),
      await signedInStaff(sut, { roles: ['caseworker'], displayName: 'Тарас Мельник' }),
    ];
    let seed = 17;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const now = Date.now();
    for (let i = 0; i < 80; i += 1) {
      const path = PATHS[Math.floor(next() * PATHS.length)];
      const createdAt = new Date(now - (5 + next() * 60) * DAY);
      let at = createdAt.getTime();
      const history = path.map((status) => {
        const enteredAt = new Date(at);
        at += (0.1 + next() * 4) * DAY;
        return { status, enteredAt };
      });
      const pick = Math.floor(next() * 3);
      const m: Made = {
        id: randomUUID(),
        channel: CHANNELS[Math.floor(next() * CHANNELS.length)],
        assignedTo: pick < 2 ? caseworkers[pick].user.id : null,
        createdAt,
        history,
        overdueCallbacks: next() < 0.3 ? 1 + Math.floor(next() * 2) : 0,
      };
      made.push(m);
      const [{ id: inquirerId }] = await sql<{ id: string }>(
        `INSERT INTO inquirer (full_name, relationship) VALUES ($1, 'mother') RETURNING id`,
        [`Мама ${i}`],
      );
      await sql(
        `INSERT INTO inquiry (id, reference, channel, status, assigned_to, inquirer_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          m.id,
          `HC-2026-${900_000 + i}`,
          m.channel,
          path.at(-1),
          m.assignedTo,
          inquirerId,
          createdAt,
        ],
      );
      for (const [k, h] of history.entries()) {
        await sql(
          `INSERT INTO inquiry_status_history (inquiry_id, status, entered_at, left_at, actor)
           VALUES ($1, $2, $3, $4, 'test')`,
          [m.id, h.status, h.enteredAt, history[k + 1]?.enteredAt ?? null],
        );
      }
      for (let c = 0; c < m.overdueCallbacks; c += 1) {
        await sql(
          `INSERT INTO callback (inquiry_id, due_at, window_minutes, created_by)
           VALUES ($1, now() - interval '3 hours', 60, $2)`,
          [m.id, caseworkers[0].user.id],
        );
      }
    }
  });

  afterAll(() => sut?.close());

  it('status: open cases by status and closed ones by outcome, with filters', async () => {
    const count = (list: Made[]) => {
      const by = new Map<string, number>();
      for (const m of list)
        by.set(m.history.at(-1)!.status, (by.get(m.history.at(-1)!.status) ?? 0) + 1);
      return Object.fromEntries([...by].sort());
    };
    const asMap = (rows: Record<string, unknown>[]) =>
      Object.fromEntries(rows.map((r) => [r.status as string, r.count as number]).sort());
    expect(asMap(await report('status'))).toEqual(count(made));
    expect(asMap(await report('status', { channel: 'phone' }))).toEqual(
      count(made.filter((m) => m.channel === 'phone')),
    );
    const olena = caseworkers[0].user.id;
    expect(asMap(await report('status', { assignee: olena }))).toEqual(
      count(made.filter((m) => m.assignedTo === olena)),
    );
    const from = new Date(Date.now() - 30 * DAY);
    expect(asMap(await report('status', { from: from.toISOString() }))).toEqual(
      count(made.filter((m) => m.createdAt >= from)),
    );
    const closed = (await report('status')).filter((r) => r.closed).map((r) => r.status);
    expect(closed.every((s) => String(s).startsWith('closed_'))).toBe(true);
  });

  it('trend: created and closed per week', async () => {
    const expected = new Map<string, { created: number; closed: number }>();
    const bump = (week: string, key: 'created' | 'closed') => {
      const row = expected.get(week) ?? { created: 0, closed: 0 };
      row[key] += 1;
      expected.set(week, row);
    };
    for (const m of made) {
      bump(weekOf(m.createdAt), 'created');
      const closing = m.history.find((h) => h.status.startsWith('closed_'));
      if (closing) bump(weekOf(closing.enteredAt), 'closed');
    }
    const rows = await report('trend');
    expect(rows).toEqual(
      [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([week, v]) => ({ week, ...v })),
    );
  });

  it('workload: open cases and overdue callbacks per caseworker', async () => {
    const rows = await report('workload');
    const expected = caseworkers
      .map((c) => {
        const mine = made.filter((m) => m.assignedTo === c.user.id);
        return {
          staffId: c.user.id,
          displayName: c.user.displayName,
          openInquiries: mine.filter(
            (m) => !/^closed_|^handed_over$/.test(m.history.at(-1)!.status),
          ).length,
          overdueCallbacks: mine.reduce((n, m) => n + m.overdueCallbacks, 0),
        };
      })
      .sort(
        (a, b) => b.openInquiries - a.openInquiries || a.displayName.localeCompare(b.displayName),
      );
    expect(rows).toEqual(expected);
  });

  it('streams CSV, refuses unknown reports and bad filters, and is for supervisors, auditors and admins', async () => {
    const csv = await supervisor.agent.get('/api/reports/status').query({ format: 'csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('status,count,closed');
    expect((await supervisor.agent.get('/api/reports/nothing')).status).toBe(404);
    const bad = await supervisor.agent.get('/api/reports/status').query({ from: 'yesterday' });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'from']);
    expect((await caseworkers[0].agent.get('/api/reports/status')).status).toBe(403);
  });
});
