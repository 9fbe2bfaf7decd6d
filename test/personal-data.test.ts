import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { PLAIN_FIELDS } from '../src/audit/audit-case-keys.js';
import { FAMILY_FIELDS, PERSONAL_DATA } from '../src/common/personal-data.js';
import { PSEUDONYMISED_TABLES } from '../src/privacy/pseudonymiser.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Every column is classified in one place (src/common/personal-data.ts), which the pseudonymiser
// and the audit sealing both read: a column added without a word there fails here.
describe('personal data, classified', () => {
  let sut: TestApp;
  let live: { table: string; column: string }[];

  beforeAll(async () => {
    sut = await createTestApp();
    live = (await sut.app.get(DataSource).query(
      `SELECT table_name AS table, column_name AS column FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1, 2`,
    )) as { table: string; column: string }[];
  });
  afterAll(() => sut?.close());

  it('has every column of the live schema, and no column that is gone', () => {
    const classified = Object.entries(PERSONAL_DATA).flatMap(([table, columns]) =>
      Object.keys(columns).map((column) => `${table}.${column}`),
    );
    const existing = live.map((c) => `${c.table}.${c.column}`);
    expect(existing.filter((c) => !classified.includes(c))).toEqual([]);
    expect(classified.filter((c) => !existing.includes(c))).toEqual([]);
  });

  it('has the pseudonymiser erase every table that holds a family’s data', () => {
    const holding = Object.entries(PERSONAL_DATA)
      .filter(([, columns]) =>
        Object.values(columns).some((c) => typeof c === 'object' && 'family' in c),
      )
      .map(([table]) => table)
      .sort();
    expect(holding.filter((t) => !PSEUDONYMISED_TABLES.includes(t))).toEqual([]);
    expect(holding).toContain('inquirer');
  });

  it('never lets the audit trail keep a family field readable', () => {
    expect([...PLAIN_FIELDS].filter((f) => FAMILY_FIELDS.has(f))).toEqual([]);
    expect(FAMILY_FIELDS.has('phones')).toBe(true);
    expect(FAMILY_FIELDS.has('relationship')).toBe(true);
  });
});
