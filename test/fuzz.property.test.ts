import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { App } from 'supertest/types.js';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Every JSON request body the OpenAPI document describes, fuzzed with fast-check: bodies near
// the schema (each field valid, missing, of another type, or odd text) and arbitrary JSON. No
// answer may be a 5xx, and a refused request (4xx) must leave every table as it was — nothing
// half-written. Sent by a user holding every staff role (an admin for the admin's routes), with
// path ids of a real case where the path names one, so that valid bodies reach the handlers.
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

interface Schema {
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  minimum?: number;
  maximum?: number;
}

interface Operation {
  method: 'post' | 'put' | 'patch';
  path: string;
  schema: Schema;
}

// Changed on purpose by their route even when refused (a failed sign-in counts against the
// account), or by every request (sessions), or by reads (the audit trail records them).
const WRITES_BY_DESIGN = new Set([
  'audit_event',
  'audit_stream',
  'audit_case_key',
  'staff_session',
]);
// Not fuzzed: signing out ends the session the fuzzing uses; sign-in and password change are
// rate-limited and lock accounts by design (their refusals are tested in test/auth.test.ts).
const SKIPPED = new Set([
  'post /api/auth/logout',
  'post /api/auth/login',
  'post /api/auth/password',
]);

// Text a form would send, so that whole bodies are valid often enough to reach the handlers.
const PLAIN_TEXT = fc.constantFrom(
  'Петров',
  'Ольга Ивановна',
  'Шевченко Тарас',
  'The family called back',
  '+380671234567',
  'olga@mail.test',
  'mother',
  'passport',
  '4510 123456',
  'ru',
  'uk',
);
const ODD_TEXT = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'null',
    '0',
    '-1',
    '1e309',
    '<script>',
    "'; DROP TABLE inquiry; --",
    'Петрова Ольга',
    '+380 67 123 45 67',
    'a@b.c',
    '2026-02-30',
    '9999-12-31T23:59:59Z',
    'x'.repeat(5_000),
  ),
);

function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  if (schema.$ref) return resolve(components[schema.$ref.split('/').pop()!], components);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0], components);
  return schema;
}

// A value of the schema's shape, most of the time; otherwise anything.
function near(
  schema: Schema,
  components: Record<string, Schema>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  const typed = (() => {
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.oneOf) return fc.oneof(...s.oneOf.map((o) => near(o, components, depth + 1)));
    switch (s.type) {
      case 'string':
        return s.format === 'uuid'
          ? fc.oneof(fc.uuid(), ODD_TEXT)
          : s.format === 'date-time' || s.format === 'date'
            ? fc.oneof(
                fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                ODD_TEXT,
              )
            : fc.oneof({ weight: 3, arbitrary: PLAIN_TEXT }, { weight: 2, arbitrary: ODD_TEXT });
      case 'integer':
        return fc.oneof(
          fc.integer({ min: s.minimum ?? -10, max: s.maximum ?? 1_000 }),
          fc.integer(),
          fc.constantFrom(0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER),
        );
      case 'number':
        return fc.oneof(fc.double(), fc.integer());
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3
          ? fc.constant([])
          : fc.array(s.items ? near(s.items, components, depth + 1) : fc.anything(), {
              maxLength: 4,
            });
      default:
        if (s.properties && depth <= 3) {
          return fc.record(
            Object.fromEntries(
              Object.entries(s.properties).map(([k, v]) => [k, near(v, components, depth + 1)]),
            ),
            { requiredKeys: (s.required ?? []).filter((k) => k in s.properties!) },
          );
        }
        return fc.anything({ maxDepth: 2 });
    }
  })();
  return fc.oneof(
    { weight: 12, arbitrary: typed },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
}

describe('every request body, fuzzed', () => {
  let sut: TestApp;
  let staff: SignedIn;
  let admin: SignedIn;
  let inquiryId: string;
  let operations: Operation[];
  let components: Record<string, Schema>;
  let fingerprintSql: string;

  const fingerprint = async () =>
    JSON.stringify(await sut.app.get(DataSource).query(fingerprintSql));

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    staff = await signedInStaff(sut, {
      roles: ['intake', 'caseworker', 'supervisor', 'auditor'],
    });
    admin = await signedInStaff(sut, { roles: ['admin'] });
    inquiryId = (await createInquiry(staff)).id;
    const doc = (await request(sut.app.getHttpServer() as App).get('/api/docs-json')).body as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>
      >;
      components: { schemas: Record<string, Schema> };
    };
    components = doc.components.schemas;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const schema = op.requestBody?.content['application/json']?.schema;
        if (!schema || !['post', 'put', 'patch'].includes(method)) return [];
        if (SKIPPED.has(`${method} ${path}`)) return [];
        return [{ method: method as Operation['method'], path, schema }];
      }),
    );
    const tables = (
      (await sut.app
        .get(DataSource)
        .query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)) as {
        tablename: string;
      }[]
    )
      .map((t) => t.tablename)
      .filter((t) => !WRITES_BY_DESIGN.has(t) && !t.startsWith('report_'));
    // Every row's text, hashed, per table: a changed byte anywhere changes it.
    fingerprintSql = `SELECT ${tables
      .map(
        (t) =>
          `(SELECT coalesce(sum(hashtext(x::text)::bigint), 0) || ':' || count(*) FROM "${t}" x) AS "${t}"`,
      )
      .join(', ')}`;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('finds the request bodies to fuzz', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.map((o) => o.path)).toContain('/api/inquiries');
  });

  // What the fuzzer found, each once a 500, kept as fixed cases: the field is named.
  it.each([
    [
      'calls',
      { direction: 'outbound', durationSeconds: null, outcome: 'answered' },
      'durationSeconds',
    ],
    ['callbacks', { dueAt: '2030-01-01T10:00:00Z', windowMinutes: null }, 'windowMinutes'],
    [
      'verifications',
      {
        documents: [[], { kind: 'passport', number: '4510 123456' }],
        relationshipEvidence: 'birth certificate',
        answers: [],
        method: 'video_call',
        outcome: 'failed',
      },
      'documents',
    ],
    ['emails', { subject: 'a\u0000b', body: 'text' }, 'subject'],
  ])('refuses a %s body the fuzzer once broke, naming the field', async (route, body, field) => {
    const res = await staff.agent
      .post(`/api/inquiries/${inquiryId}/${route}`)
      .set('X-CSRF-Token', staff.csrf)
      .send(body);
    expect(res.status).toBe(400);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
      field,
    );
  });

  it('answers every body without a 5xx, and writes nothing when it refuses', async () => {
    const seen = new Map<string, Set<number>>();
    for (const operation of operations) {
      const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'id' && operation.path.startsWith('/api/inquiries/') ? inquiryId : randomUUID(),
      );
      const body = fc.oneof(
        { weight: 4, arbitrary: near(operation.schema, components) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      );
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          const before = await fingerprint();
          const send = (who: SignedIn) =>
            who.agent[operation.method](path)
              .set('X-CSRF-Token', who.csrf)
              .set('Content-Type', 'application/json')
              .send(JSON.stringify(value) ?? 'null');
          let res = await send(staff);
          if (res.status === 403) res = await send(admin);
          const statuses = seen.get(operation.path) ?? new Set();
          seen.set(operation.path, statuses.add(res.status));
          const where = `${operation.method.toUpperCase()} ${operation.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          expect({ where, serverError: res.status >= 500 }).toEqual({ where, serverError: false });
          if (res.status >= 400) {
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect({ where, changed: (await fingerprint()) !== before }).toEqual({
              where,
              changed: false,
            });
          }
        }),
        {
          numRuns: RUNS,
          seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31),
          endOnFailure: true,
        },
      );
    }
    // The fuzzing reached past validation somewhere: not every answer was a 400.
    const answered = [...seen.values()].flatMap((s) => [...s]);
    expect(answered.some((s) => s < 300)).toBe(true);
    expect(answered.some((s) => s === 400)).toBe(true);
  }, 600_000);
});
