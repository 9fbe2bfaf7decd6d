import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { STATUS_REPORT } from '../src/reports/reports.sql.js';
import { createInquiry } from './support/inquiries.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

const CASES = 24;
const WRITERS = 6;
const OPERATIONS_EACH = 30;

// The report tallies are kept in the writing transactions and folded concurrently: while
// caseworkers move cases through the API (triage, hold and resume, close and reopen, assign and
// unassign) and a folder folds without pause, every read of the status report agrees with the
// cases in the same snapshot; afterwards every report agrees with figures computed here from
// the raw tables.
describe('reports under concurrent writes', () => {
  let sut: TestApp;
  let staff: SignedIn;
  let other: SignedIn;
  const ids: string[] = [];
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    staff = await signedInStaff(sut, { roles: ['caseworker', 'supervisor'] });
    other = await signedInStaff(sut, { roles: ['caseworker'], displayName: 'Second Caseworker' });
    for (let i = 0; i < CASES; i += 1) {
      ids.push((await createInquiry(staff, { channel: i % 2 ? 'phone' : 'email' })).id);
    }
  });
  afterAll(() => sut?.close());

  // One operation on a random case, whatever state it is in; a stale version (409) is a
  // normal outcome of racing writers.
  async function operate(random: () => number): Promise<number> {
    const id = ids[Math.floor(random() * ids.length)];
    const current = await staff.agent.get(`/api/inquiries/${id}`);
    const { status, version, previousStatus } = current.body.inquiry ?? current.body;
    const post = (path: string, body: object) =>
      staff.agent.post(`/api/inquiries/${id}/${path}`).set('X-CSRF-Token', staff.csrf).send(body);
    const pick = random();
    let res;
    if (pick < 0.25) {
      const to = [staff.user.id, other.user.id, null][Math.floor(random() * 3)];
      res = await post('assign', { assigneeId: to, version });
    } else if (status === 'received') {
      res = await post('transitions', { to: 'gathering_information', version });
    } else if (status === 'on_hold') {
      res = await post('transitions', { to: previousStatus, version });
    } else if (status.startsWith('closed_')) {
      res = await post('transitions', { to: 'gathering_information', version, reason: 'again' });
    } else if (pick < 0.7) {
      res = await post('transitions', { to: 'on_hold', version, reason: 'waiting' });
    } else {
      res = await post('transitions', { to: 'closed_withdrawn', version, reason: 'withdrawn' });
    }
    if (![200, 409].includes(res.status))
      throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.status;
  }

  it('every read agrees with the cases, during and after', async () => {
    let writing = true;
    const outcomes = new Map<number, number>();
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      let seed = 101 + w;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < OPERATIONS_EACH; i += 1) {
        const status = await operate(random);
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
      }
    });
    const folding = (async () => {
      let folds = 0;
      while (writing) {
        await sql(`SELECT hc_report_fold()`);
        folds += 1;
      }
      return folds;
    })();
    // The status report's statement and a count of the cases, in one snapshot.
    const reads = (async () => {
      const mismatches: string[] = [];
      let read = 0;
      const runner = sut.app.get(DataSource).createQueryRunner();
      await runner.connect();
      try {
        while (writing) {
          await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
          const report = (await runner.query(STATUS_REPORT.sql, [
            null,
            null,
            '-infinity',
            'infinity',
            STATUS_REPORT.metrics,
            '-infinity',
            'infinity',
          ])) as { status: string; count: number }[];
          const cases = (await runner.query(
            `SELECT status, count(*)::int AS count FROM inquiry GROUP BY 1`,
          )) as { status: string; count: number }[];
          await runner.query('COMMIT');
          const asText = (rows: { status: string; count: number }[]) =>
            JSON.stringify(rows.map((r) => [r.status, r.count]).sort());
          if (asText(report) !== asText(cases))
            mismatches.push(`${asText(report)} ≠ ${asText(cases)}`);
          read += 1;
        }
      } finally {
        await runner.release();
      }
      return { read, mismatches };
    })();
    // And the API, which must always count every case once.
    const apiReads = (async () => {
      const totals: number[] = [];
      while (writing) {
        const res = await staff.agent.get('/api/reports/status');
        totals.push(res.body.rows.reduce((n: number, r: { count: number }) => n + r.count, 0));
      }
      return totals;
    })();

    await Promise.all(writers);
    writing = false;
    const [folds, snapshot, totals] = await Promise.all([folding, reads, apiReads]);

    expect(outcomes.get(200)).toBeGreaterThan(WRITERS * OPERATIONS_EACH * 0.3);
    expect(folds).toBeGreaterThan(5);
    expect(snapshot.read).toBeGreaterThan(5);
    expect(snapshot.mismatches).toEqual([]);
    expect(totals.length).toBeGreaterThan(5);
    expect(new Set(totals)).toEqual(new Set([CASES]));

    // Afterwards: each report against the raw tables.
    const report = async (name: string) =>
      (await staff.agent.get(`/api/reports/${name}`)).body.rows as Record<string, unknown>[];
    const byStatus = await sql<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM inquiry GROUP BY 1 ORDER BY 1`,
    );
    expect(
      (await report('status'))
        .map((r) => ({ status: r.status, count: r.count }))
        .sort((a, b) => String(a.status).localeCompare(String(b.status))),
    ).toEqual(byStatus);
    const open = await sql<{ staffId: string; openInquiries: number }>(
      `SELECT assigned_to AS "staffId", count(*)::int AS "openInquiries" FROM inquiry
       WHERE assigned_to IS NOT NULL AND status NOT LIKE 'closed\\_%' AND status <> 'handed_over'
       GROUP BY 1 ORDER BY 1`,
    );
    expect(
      (await report('workload'))
        .filter((r) => (r.openInquiries as number) > 0)
        .map((r) => ({ staffId: r.staffId, openInquiries: r.openInquiries }))
        .sort((a, b) => String(a.staffId).localeCompare(String(b.staffId))),
    ).toEqual(open);
    const stays = await sql<{ status: string; stays: number }>(
      `SELECT status, count(*)::int AS stays FROM inquiry_status_history
       WHERE left_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    expect(
      (await report('time-in-state')).map((r) => ({ status: r.status, stays: r.stays })),
    ).toEqual(stays);
    const closed = await sql<{ closed: number }>(
      `SELECT count(DISTINCT inquiry_id)::int AS closed FROM inquiry_status_history
       WHERE status LIKE 'closed\\_%'`,
    );
    const trend = await report('trend');
    expect(trend.reduce((n, r) => n + (r.closed as number), 0)).toBe(closed[0].closed);
    expect(trend.reduce((n, r) => n + (r.created as number), 0)).toBe(CASES);
    // The tallies equal a rebuild from scratch.
    await sql(`SELECT hc_report_fold()`);
    const tallies = `SELECT metric, grain, assignee, day::text, channel, key, bucket, n::int
                     FROM report_tally ORDER BY 1, 2, 3, 4, 5, 6, 7`;
    const kept = await sql(tallies);
    await sql(`SELECT hc_report_rebuild()`);
    expect(kept).toEqual(await sql(tallies));
  });
});
