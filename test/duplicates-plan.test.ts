import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CANDIDATES, PROPOSED_CANDIDATES } from '../src/inquiries/inquiry-duplicates.service.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The look for possible duplicates runs in every create, as a named statement planned once per
// connection and generically (src/database/data-source-options.ts). A plan made while the tables
// were small once hash-joined the namesakes with a scan of every inquiry, so that a create's cost
// grew with the table for the connection's life (bench:inquiries: the create rate fell as it
// ran). Each namesake's case and person must be read by their keys, whatever the tables' size.
const SURNAMES = ['Петров', 'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев'];
const GIVEN = ['Алексей', 'Андрей', 'Дмитрий', 'Сергей', 'Иван', 'Максим', 'Артём', 'Михаил'];

describe('possible duplicates: a generic plan that does not grow with the tables', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({
      connectionString: db.url,
      options: '-c plan_cache_mode=force_generic_plan',
    });
    await client.connect();
    // 2,000 families, each asking about one of 48 × 42 men: a young deployment's tables.
    await client.query(
      `WITH x AS (SELECT g, gen_random_uuid() AS r, gen_random_uuid() AS s,
                    gen_random_uuid() AS i FROM generate_series(1, 2000) g),
         a AS (INSERT INTO inquirer (id, full_name, phones)
               SELECT r, 'Петрова Ольга', ARRAY['+7916' || lpad(g::text, 7, '0')] FROM x),
         b AS (INSERT INTO search (id) SELECT s FROM x),
         c AS (INSERT INTO inquiry (id, reference, channel, status, priority, inquirer_id,
                 relationship, search_id)
               SELECT i, 'HC-2026-' || lpad(g::text, 6, '0'), 'phone', 'received', 'normal', r,
                 'mother', s FROM x)
       INSERT INTO sought_person (inquiry_id, surname, given_name, birth_year)
       SELECT i, ($1::text[])[1 + g % ${SURNAMES.length}],
         ($2::text[])[1 + (g / ${SURNAMES.length}) % ${GIVEN.length}], 1965 + g % 42 FROM x`,
      [SURNAMES, GIVEN],
    );
    await client.query('ANALYZE');
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const sequentialScans = async (sql: string, types: string, args: string): Promise<string[]> => {
    await client.query(`DEALLOCATE ALL`);
    await client.query(`PREPARE q(${types}) AS ${sql}`);
    const [row] = (await client.query(`EXPLAIN (FORMAT JSON) EXECUTE q(${args})`)).rows as {
      'QUERY PLAN': [{ Plan: PlanNode }];
    }[];
    const scans: string[] = [];
    const walk = (node: PlanNode) => {
      if (node['Node Type'] === 'Seq Scan') scans.push(node['Relation Name'] ?? '?');
      node.Plans?.forEach(walk);
    };
    walk(row['QUERY PLAN'][0].Plan);
    return scans;
  };

  it('reads no table whole for a case about to be created (the create’s own check)', async () => {
    expect(
      await sequentialScans(
        PROPOSED_CANDIDATES,
        'text[], text[], text, text, smallint, smallint, smallint',
        `'{+79160000001}', '{}', 'Петров', 'Андрей', 1970, NULL, NULL`,
      ),
    ).toEqual([]);
  });

  it('reads no table whole for a stored case', async () => {
    const [{ id }] = (await client.query(`SELECT id FROM inquiry LIMIT 1`)).rows as {
      id: string;
    }[];
    expect(await sequentialScans(CANDIDATES.text, 'uuid', `'${id}'`)).toEqual([]);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
