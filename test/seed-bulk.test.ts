import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';

// `npm run seed:bulk` (compiled) on a real database: the cases it writes are consistent — each
// one's status is its last history row, histories run in time order, and every case has its
// inquirer and sought person; the report tallies are rebuilt to match.
describe('seed:bulk', () => {
  let sut: TestApp;
  const sql = <T = Record<string, unknown>>(text: string) =>
    sut.app.get(DataSource).query(text) as Promise<T[]>;

  beforeAll(async () => {
    sut = await createTestApp();
  });
  afterAll(() => sut?.close());

  it('writes consistent cases in batches', async () => {
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['dist/src/cli/seed-bulk.js', '--inquiries', '450', '--batch', '200'],
        {
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: sut.database.url,
            DATA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
          },
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toContain('450 of 450 inquiries');
    const [counts] = await sql<{ inquiries: number; sought: number; inquirers: number }>(
      `SELECT count(*)::int AS inquiries, count(p.id)::int AS sought,
         count(DISTINCT i.inquirer_id)::int AS inquirers
       FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id AND r.full_name LIKE 'Bulk %'
       LEFT JOIN sought_person p ON p.inquiry_id = i.id`,
    );
    expect(counts).toEqual({ inquiries: 450, sought: 450, inquirers: 450 });
    const [broken] = await sql<{ wrong_status: number; out_of_order: number; open_rows: number }>(
      `SELECT
         (SELECT count(*) FROM inquiry i WHERE i.status <> (
            SELECT h.status FROM inquiry_status_history h WHERE h.inquiry_id = i.id
            ORDER BY h.entered_at DESC LIMIT 1))::int AS wrong_status,
         (SELECT count(*) FROM inquiry_status_history WHERE left_at < entered_at)::int AS out_of_order,
         (SELECT count(*) FROM (SELECT inquiry_id FROM inquiry_status_history
            WHERE left_at IS NULL GROUP BY inquiry_id HAVING count(*) <> 1) x)::int AS open_rows`,
    );
    expect(broken).toEqual({ wrong_status: 0, out_of_order: 0, open_rows: 0 });
    expect(
      (await sql<{ n: number }>(`SELECT count(DISTINCT status)::int AS n FROM inquiry`))[0].n,
    ).toBeGreaterThan(5);
    expect(run.out).toMatch(/report tallies rebuilt/);
    // The tallies the reports read were rebuilt from what the seed wrote.
    const byStatus = `SELECT status, count(*)::int AS n FROM inquiry GROUP BY 1 ORDER BY 1`;
    expect(
      await sql(
        `SELECT key AS status, sum(n)::int AS n FROM report_tally
         WHERE metric = 'status' AND grain = 'm' AND assignee = '*' GROUP BY 1 ORDER BY 1`,
      ),
    ).toEqual(await sql(byStatus));
  });
});
