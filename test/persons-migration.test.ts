import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { migrations } from '../migrations/index.js';
import { loadConfig } from '../src/config/app-config.js';
import { AuditService } from '../src/audit/audit.service.js';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { entities } from '../src/database/entities.js';
import { runCli } from './support/cli.js';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff } from './support/staff.js';
import { createTestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The persons migration (1796620000000-PersonsAndSearches) on a database as the service had it:
// cases made through the API (with their audit chains) and by `seed:bulk`, taken back to the
// shape before the migration by its own `down`, given records of one person written three ways
// and two relatives' cases about one confirmed prisoner as the old shape held them, then migrated
// up, down and up again.
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('the persons and searches migration', () => {
  let database: TestDatabase;
  let db: DataSource;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    db.query(text, params) as Promise<T[]>;
  const ids = {
    a: randomUUID(),
    b: randomUUID(),
    c: randomUUID(),
    d: randomUUID(),
    f: randomUUID(),
    g: randomUUID(),
  };
  const cases: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    // Cases through the API: audit chains to keep whole.
    const app = await createTestApp({ database, env: { TOTP_REQUIRED_ROLES: 'none' } });
    try {
      const caseworker = await signedInStaff(app, { roles: ['caseworker'] });
      await createInquiry(caseworker);
      await createInquiry(caseworker, { channel: 'email' });
    } finally {
      await app.close();
    }
    const seeded = await runCli('seed-bulk', ['--inquiries', '300', '--batch', '120'], {
      DATABASE_URL: database.url,
      DATA_ENCRYPTION_KEY: KEY,
    });
    expect(seeded.code).toBe(0);
    db = await new DataSource({
      ...buildDataSourceOptions(loadConfig({}).database, database.url),
      entities,
      migrations,
    }).initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  // The persons migration and the ones after it undone, newest first.
  const downToBeforePersons = async () => {
    for (;;) {
      const [last] = await sql<{ name: string }>(
        `SELECT name FROM migrations ORDER BY timestamp DESC LIMIT 1`,
      );
      await db.undoLastMigration({ transaction: 'all' });
      if (last.name.startsWith('PersonsAndSearches')) return;
    }
  };
  const shape = async () =>
    (
      await sql<{ table: string; column: string }>(
        `SELECT table_name AS table, column_name AS column FROM information_schema.columns
       WHERE table_name IN ('inquirer', 'inquiry') AND column_name IN ('relationship', 'search_id')
       ORDER BY 1, 2`,
      )
    ).map((r) => `${r.table}.${r.column}`);

  it('goes back to one record per inquiry, and forward to persons and searches, losing nothing', async () => {
    const totals = async () =>
      (
        await sql<{ inquiries: number; inquirers: number; calls: number; history: number }>(
          `SELECT (SELECT count(*)::int FROM inquiry) AS inquiries,
             (SELECT count(*)::int FROM inquirer) AS inquirers,
             (SELECT count(*)::int FROM call) AS calls,
             (SELECT count(*)::int FROM inquiry_status_history) AS history`,
        )
      )[0];
    const before = await totals();
    expect(before.inquiries).toBe(302);

    // Down: today's shape before the migration.
    await downToBeforePersons();
    expect(await shape()).toEqual(['inquirer.relationship']);
    expect(await totals()).toEqual(before);

    // What the old shape held: one person written three ways — Cyrillic, Latin sharing her
    // phone, Latin sharing that record's address — a father sharing her phone, her case and a
    // duplicate of it, and two relatives' cases confirmed as the same prisoner.
    let written = 0;
    // Oldest first: the first written is the one the others join.
    const inquirer = (
      id: string,
      name: string,
      relationship: string,
      phones: string[],
      emails: string[],
    ) =>
      sql(
        `INSERT INTO inquirer (id, full_name, relationship, phones, emails, created_at)
         VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 minute')`,
        [id, name, relationship, phones, emails, 100 - ++written],
      );
    const inquiry = async (key: string, inquirerId: string, duplicateOf?: string) => {
      const id = randomUUID();
      cases[key] = id;
      await sql(
        `INSERT INTO inquiry (id, reference, channel, status, inquirer_id, duplicate_of, created_at)
         VALUES ($1, 'HC-2026-' || lpad(nextval('inquiry_reference_seq')::text, 6, '0'), 'phone',
           $3, $2, $4, now() - $5 * interval '1 minute')`,
        [
          id,
          inquirerId,
          duplicateOf ? 'closed_duplicate' : 'verifying',
          duplicateOf ?? null,
          60 - Object.keys(cases).length,
        ],
      );
      return id;
    };
    await inquirer(ids.a, 'Коваль Олена Петрівна', 'mother', ['+380501112233'], []);
    await inquirer(ids.b, 'Koval Olena Petrivna', 'mother', ['+380501112233'], ['olena@mail.test']);
    await inquirer(ids.c, 'Koval Olena Petrivna', 'other', [], ['olena@mail.test']);
    await inquirer(ids.d, 'Коваль Петро', 'father', ['+380501112233'], []);
    await inquirer(ids.f, 'Сидоренко Ганна', 'mother', ['+380671110000'], []);
    await inquirer(ids.g, 'Сидоренко Іван', 'father', ['+380671110001'], []);
    const a1 = await inquiry('a1', ids.a);
    await inquiry('a2', ids.a, a1);
    await inquiry('b1', ids.b);
    await inquiry('c1', ids.c);
    await inquiry('d1', ids.d);
    await inquiry('f1', ids.f);
    await inquiry('g1', ids.g);
    const [{ id: prisoner }] = await sql<{ id: string }>(
      `INSERT INTO prisoner (personal_number, surname, given_names, birth_date)
       VALUES ('PN-MIG-1', 'Сидоренко', 'Олег', '2000-01-01') RETURNING id`,
    );
    for (const key of ['f1', 'g1']) {
      await sql(
        `INSERT INTO inquiry_match (inquiry_id, prisoner_id, state, score, explanation, proposed_by,
           countersigned_by, countersigned_at)
         VALUES ($1, $2, 'confirmed', 0.97, '{}', $3, $4, now())`,
        [cases[key], prisoner, randomUUID(), randomUUID()],
      );
    }
    const oldShape = await sql<{ id: string; inquirer_id: string; relationship: string }>(
      `SELECT i.id, i.inquirer_id, r.relationship FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
       ORDER BY i.id`,
    );

    // Up: persons and searches.
    await db.runMigrations({ transaction: 'all' });
    expect(await shape()).toEqual(['inquiry.relationship', 'inquiry.search_id']);
    const after = await totals();
    expect(after).toEqual({
      ...before,
      inquiries: before.inquiries + 7,
      inquirers: before.inquirers + 6,
    });
    // The three records of Olena are one person, the oldest; the father is not.
    const personOf = async (key: string) =>
      (
        await sql<{ inquirer_id: string }>(`SELECT inquirer_id FROM inquiry WHERE id = $1`, [
          cases[key],
        ])
      )[0].inquirer_id;
    expect(await Promise.all(['a1', 'a2', 'b1', 'c1', 'd1'].map(personOf))).toEqual([
      ids.a,
      ids.a,
      ids.a,
      ids.a,
      ids.d,
    ]);
    const [olena] = await sql(
      `SELECT phones, emails, other_names, merged_into FROM inquirer WHERE id = $1`,
      [ids.a],
    );
    expect(olena).toEqual({
      phones: ['+380501112233'],
      emails: ['olena@mail.test'],
      other_names: ['Koval Olena Petrivna'],
      merged_into: null,
    });
    expect(
      await sql(`SELECT id, merged_into FROM inquirer WHERE id = ANY($1) ORDER BY created_at`, [
        [ids.b, ids.c],
      ]),
    ).toEqual([
      { id: ids.b, merged_into: ids.a },
      { id: ids.c, merged_into: ids.a },
    ]);
    // Every join for a supervisor to see, and undo.
    expect(
      await sql(
        `SELECT absorbed_id, survivor_id, inquiry_ids, merged_by, confirmed_at FROM person_merge
         ORDER BY absorbed_id`,
      ),
    ).toEqual(
      [
        {
          absorbed_id: ids.b,
          survivor_id: ids.a,
          inquiry_ids: [cases.b1],
          merged_by: 'system:migration',
          confirmed_at: null,
        },
        {
          absorbed_id: ids.c,
          survivor_id: ids.a,
          inquiry_ids: [cases.c1],
          merged_by: 'system:migration',
          confirmed_at: null,
        },
      ].sort((x, y) => x.absorbed_id.localeCompare(y.absorbed_id)),
    );
    // The relationship went to each inquiry.
    const relationships = await sql<{ id: string; relationship: string }>(
      `SELECT id, relationship FROM inquiry ORDER BY id`,
    );
    expect(relationships).toEqual(
      oldShape.map((o) => ({ id: o.id, relationship: o.relationship })),
    );
    // Searches: the duplicate on its survivor's, the two relatives of one prisoner on one, every
    // other inquiry its own.
    const searchOf = async (key: string) =>
      (
        await sql<{ search_id: string }>(`SELECT search_id FROM inquiry WHERE id = $1`, [
          cases[key],
        ])
      )[0].search_id;
    expect(await searchOf('a2')).toBe(await searchOf('a1'));
    expect(await searchOf('g1')).toBe(await searchOf('f1'));
    const [{ searches }] = await sql<{ searches: number }>(
      `SELECT count(*)::int AS searches FROM search`,
    );
    expect(searches).toBe(after.inquiries - 2);
    expect(
      await sql(
        `SELECT count(*)::int AS n FROM inquiry WHERE search_id IS NULL OR relationship IS NULL`,
      ),
    ).toEqual([{ n: 0 }]);

    // Down again: each inquiry back on the record it had, each record its relationship.
    await downToBeforePersons();
    expect(
      await sql(
        `SELECT i.id, i.inquirer_id, r.relationship FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
         ORDER BY i.id`,
      ),
    ).toEqual(oldShape);
    expect(await totals()).toEqual(after);
    await db.runMigrations({ transaction: 'all' });
    expect(await shape()).toEqual(['inquiry.relationship', 'inquiry.search_id']);

    // The audit chains are whole, read by the service itself.
    const app = await createTestApp({ database, env: { TOTP_REQUIRED_ROLES: 'none' } });
    try {
      expect(await app.app.get(AuditService).verify()).toMatchObject({ intact: true });
    } finally {
      await app.close();
    }
  });
});
