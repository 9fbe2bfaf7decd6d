import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { PRIORITIES } from '../src/inquiries/inquiry.vocabulary.js';
import { LANGUAGES, RELATIONSHIPS } from '../src/people/people.vocabulary.js';
import { LOCATION_CATEGORIES } from '../src/registry/prisoner.entity.js';
import { TRAFFIC_KINDS } from '../src/travel/border-crossing.entity.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import {
  asSent,
  change,
  column,
  EMAILS,
  inDays,
  minuteFromNow,
  normalised,
  orNull,
  partial,
  PHONES,
  sentOf,
  storedOf,
  text,
  trimmed,
  trimmedOrCleared,
  type Change,
  type Edit,
} from './support/edits.js';

// Every edit of every editable resource is a patch: random partial edits through the API change
// exactly the fields they name — to what was sent, normalised as the API normalises — and no
// other column of the resource's rows (but the bookkeeping listed below); null clears a field
// that may be empty, and null for one that may not is refused whole (400 naming it). Runs:
// PATCH_RUNS per resource (default 30), seed PATCH_SEED.
const RUNS = Number(process.env.PATCH_RUNS ?? 30);
const SEED = process.env.PATCH_SEED ? Number(process.env.PATCH_SEED) : undefined;

// Columns an edit may move without naming them, per table.
const BOOKKEEPING: Record<string, string[]> = {
  inquiry: ['version', 'updated_at'],
  inquirer: ['version', 'updated_at'],
  sought_person: [],
  travel_plan: ['version', 'updated_at', 'updated_by'],
  handover_appointment: ['version'],
  prisoner: ['version', 'updated_at'],
  handover_location: ['version'],
  border_crossing: ['version', 'updated_at'],
};
// Columns the database derives from another (the name keys' trigger): they move with it.
const DERIVED: Record<string, Record<string, string>> = {
  prisoner: { surname_key: 'surname', given_key: 'given_names', patronymic_key: 'patronymic' },
};

// The row after an edit: the named columns hold what was sent, bookkeeping may move, and every
// other column is as it was.
function expectOnlyNamed(
  table: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  named: Record<string, unknown>,
) {
  const expected = { ...before, ...normalised(named) };
  for (const c of BOOKKEEPING[table]) if (!(c in named)) expected[c] = after[c];
  for (const [derived, source] of Object.entries(DERIVED[table] ?? {})) {
    if (source in named) expected[derived] = after[derived];
  }
  expect({ table, row: after }).toEqual({ table, row: expected });
}

describe('edits are patches', () => {
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let prisonerId: string;

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(query, params) as Promise<T[]>;
  // Every column of the rows, as the database holds them.
  const rows = async (table: string, where: string, params: unknown[]) =>
    (
      await sql<{ row: Record<string, unknown> }>(
        `SELECT to_jsonb(t) AS row FROM ${table} t WHERE ${where}`,
        params,
      )
    ).map((r) => normalised(r.row));
  const row = async (table: string, id: string) => (await rows(table, 'id = $1', [id]))[0];
  const send = (who: SignedIn, method: 'put' | 'patch' | 'post', url: string, body: unknown) =>
    who.agent[method](url)
      .set('X-CSRF-Token', who.csrf)
      .send(body as object);
  const refusedNaming = (res: { status: number; body: { errors?: { field: string }[] } }) => ({
    status: res.status,
    fields: [...new Set((res.body.errors ?? []).map((e) => e.field))],
  });
  const property = <T>(edits: fc.Arbitrary<T>, run: (edit: T) => Promise<void>) =>
    fc.assert(fc.asyncProperty(edits, run), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  // One valid edit, and the same with a field that may not be empty set to null.
  const refusalsOf = <T>(edits: fc.Arbitrary<T>, fields: string[]) =>
    fields.map((field) => ({ field, edit: fc.sample(edits, 1)[0] }));

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    admin = await signedInStaff(sut, { roles: ['admin'] });
    prisonerId = await importThePrisoner(supervisor, 'PT-1000001');
  });

  afterAll(() => sut?.close());

  describe('an inquiry, its inquirer and the sought person (PATCH /api/inquiries/:id)', () => {
    const inquirer = partial({
      fullName: trimmed,
      relationship: fc.constantFrom(...RELATIONSHIPS).map((r) => change(r)),
      phones: fc.shuffledSubarray(PHONES, { maxLength: 3 }).map((list) =>
        change(
          list.map((p) => p[0]),
          list.map((p) => p[1]),
        ),
      ),
      emails: fc.shuffledSubarray(EMAILS, { maxLength: 2 }).map((list) =>
        change(
          list,
          list.map((e) => e.trim().toLowerCase()),
        ),
      ),
      preferredLanguage: fc.constantFrom(...LANGUAGES).map((l) => change(l)),
      country: orNull(
        fc.constantFrom(' ru', 'UA', 'pl ').map((c) => change(c, c.trim().toUpperCase())),
      ),
      city: trimmedOrCleared,
      notes: orNull(asSent),
    });
    // The parts of a date of birth, in steps that keep it a possible partial date.
    const birth = fc.oneof(
      fc.constant({}),
      fc.integer({ min: 1960, max: 2005 }).map((y) => ({ birthYear: change(y) })),
      fc.constant({ birthDay: change(null) }),
      fc.constant({ birthYear: change(null), birthMonth: change(null), birthDay: change(null) }),
      fc
        .tuple(
          fc.integer({ min: 1960, max: 2005 }),
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 28 }),
        )
        .map(([y, m, d]) => ({ birthYear: change(y), birthMonth: change(m), birthDay: change(d) })),
    );
    const soughtPerson = fc
      .tuple(
        partial({
          surname: trimmed,
          givenName: trimmedOrCleared,
          patronymic: trimmedOrCleared,
          placeOfBirth: trimmedOrCleared,
          militaryUnit: trimmedOrCleared,
          rank: trimmedOrCleared,
          personalNumber: trimmedOrCleared,
          mothersMaidenName: trimmedOrCleared,
          fathersFirstName: trimmedOrCleared,
          distinguishingMarks: orNull(asSent),
        }),
        birth,
      )
      .map(([fields, date]) => ({ ...fields, ...date }) as Edit);
    const edits = fc.record(
      {
        priority: fc.constantFrom(...PRIORITIES).map((p) => change(p)),
        inquirer,
        soughtPerson,
      },
      { requiredKeys: [] },
    );
    type InquiryEdit = { priority?: Change; inquirer?: Edit; soughtPerson?: Edit };
    const bodyOf = (edit: InquiryEdit, version: number) => ({
      version,
      ...(edit.priority && { priority: edit.priority.sent }),
      ...(edit.inquirer && { inquirer: sentOf(edit.inquirer) }),
      ...(edit.soughtPerson && { soughtPerson: sentOf(edit.soughtPerson) }),
    });
    let id: string;
    const snapshot = async () => {
      const inquiry = await row('inquiry', id);
      return {
        inquiry,
        inquirer: await row('inquirer', inquiry.inquirer_id as string),
        sought_person: (await rows('sought_person', 'inquiry_id = $1', [id]))[0],
      };
    };

    beforeAll(async () => {
      id = (await createInquiry(caseworker)).id;
    });

    it('change exactly the fields named', async () => {
      await property(edits, async (edit: InquiryEdit) => {
        const before = await snapshot();
        const res = await send(
          caseworker,
          'patch',
          `/api/inquiries/${id}`,
          bodyOf(edit, before.inquiry.version as number),
        );
        expect([res.status, res.body.errors]).toEqual([200, undefined]);
        const after = await snapshot();
        // The relationship is the inquiry's (the person's to this man); the rest of `inquirer`
        // is the person's record.
        const { relationship, ...person } = storedOf(edit.inquirer ?? {});
        expectOnlyNamed('inquiry', before.inquiry, after.inquiry, {
          ...(edit.priority ? { priority: edit.priority.stored } : {}),
          ...(relationship !== undefined ? { relationship } : {}),
        });
        expectOnlyNamed('inquirer', before.inquirer, after.inquirer, person);
        expectOnlyNamed(
          'sought_person',
          before.sought_person,
          after.sought_person,
          storedOf(edit.soughtPerson ?? {}),
        );
      });
    });

    const required = [
      'priority',
      'inquirer.fullName',
      'inquirer.relationship',
      'inquirer.phones',
      'inquirer.emails',
      'inquirer.preferredLanguage',
      'soughtPerson.surname',
    ];
    it.each(refusalsOf(edits, required))(
      'refuse null for $field whole, naming it',
      async ({ field, edit }) => {
        const before = await snapshot();
        const body: Record<string, unknown> = bodyOf(edit, before.inquiry.version as number);
        const [part, name] = field.split('.');
        if (name) body[part] = { ...(body[part] as object), [name]: null };
        else body[part] = null;
        const res = await send(caseworker, 'patch', `/api/inquiries/${id}`, body);
        expect(refusedNaming(res)).toEqual({
          status: 400,
          fields: expect.arrayContaining([field]),
        });
        expect(await snapshot()).toEqual(before);
      },
    );
  });

  describe('a travel plan (PATCH /api/inquiries/:id/travel-plan)', () => {
    // Exactly one inquirer among them; companions say how they are related.
    const traveller = (isInquirer: boolean) =>
      fc.record({
        isInquirer: fc.constant(isInquirer),
        fullName: text,
        documentKind: fc.constantFrom('passport', 'id_card'),
        documentNumber: fc.stringMatching(/^\d{4,10}$/),
        ...(isInquirer ? {} : { relationship: fc.constantFrom('father', 'sister') }),
      });
    const travellers = fc
      .tuple(traveller(true), fc.array(traveller(false), { maxLength: 2 }), fc.nat())
      .map(([inquirer, companions, at]) => {
        const list: Record<string, unknown>[] = [...companions];
        list.splice(at % (companions.length + 1), 0, inquirer);
        return list;
      });
    // Entry into Poland 1–5 days ahead and the crossing 6–20: any mix of them is a possible plan.
    const edits = fc.record(
      {
        plan: partial({
          originCity: orNull(asSent),
          originCountry: orNull(fc.constantFrom('RU', 'UA', 'BY').map((c) => change(c))),
          plannedEntryIntoPoland: orNull(
            fc.integer({ min: 1, max: 5 }).map((d) => change(inDays(d).toISOString().slice(0, 10))),
          ),
          crossingPointId: orNull(
            fc
              .constantFrom('medyka-shehyni', 'korczowa-krakovets', 'dorohusk-yahodyn')
              .map((c) => change(c)),
          ),
          plannedCrossingAt: orNull(
            fc.integer({ min: 6 * 1440, max: 20 * 1440 }).map((m) => change(minuteFromNow(m))),
          ),
          escortName: orNull(asSent),
          escortPhone: orNull(
            fc.constantFrom('+380 67 000 00 01', '(044) 123-45-67').map((p) => change(p)),
          ),
          notes: orNull(asSent),
        }),
        travellers,
      },
      { requiredKeys: ['plan'] },
    );
    type PlanEdit = { plan: Edit; travellers?: Record<string, unknown>[] };
    let id: string;
    let planId: string;
    const url = () => `/api/inquiries/${id}/travel-plan`;
    const snapshot = async () => ({
      plan: await row('travel_plan', planId),
      travellers: await rows('traveller', 'travel_plan_id = $1 ORDER BY position', [planId]),
    });

    beforeAll(async () => {
      id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
      const saved = await send(caseworker, 'put', url(), {
        version: 0,
        originCity: 'Тамбов',
        plannedEntryIntoPoland: inDays(1).toISOString().slice(0, 10),
        crossingPointId: 'medyka-shehyni',
        plannedCrossingAt: minuteFromNow(7 * 1440),
        travellers: fc.sample(travellers, 1)[0],
      });
      expect(saved.status).toBe(200);
      planId = saved.body.id;
    });

    it('change exactly the fields named; the travellers only when sent, then all of them', async () => {
      await property(edits, async (edit: PlanEdit) => {
        const before = await snapshot();
        const res = await send(caseworker, 'patch', url(), {
          version: before.plan.version,
          ...sentOf(edit.plan),
          ...(edit.travellers && { travellers: edit.travellers }),
        });
        expect([res.status, res.body.errors]).toEqual([200, undefined]);
        const after = await snapshot();
        expect(res.body.version).toBe(after.plan.version);
        expectOnlyNamed('travel_plan', before.plan, after.plan, storedOf(edit.plan));
        if (!edit.travellers) {
          expect(after.travellers).toEqual(before.travellers);
          return;
        }
        expect(
          after.travellers.map(({ id: _, document_number_sealed: _sealed, ...t }) => t),
        ).toEqual(
          edit.travellers.map((t, position) => ({
            travel_plan_id: planId,
            position,
            is_inquirer: t.isInquirer,
            full_name: t.fullName,
            relationship: t.isInquirer ? null : t.relationship,
            document_kind: t.documentKind,
            document_last4: (t.documentNumber as string).slice(-4),
          })),
        );
        for (const [i, t] of after.travellers.entries()) {
          expect(t.document_number_sealed).not.toContain(edit.travellers[i].documentNumber);
        }
      });
    });

    it.each(refusalsOf(edits, ['travellers']))(
      'refuse null for $field whole, naming it',
      async ({ field, edit }) => {
        const before = await snapshot();
        const res = await send(caseworker, 'patch', url(), {
          version: before.plan.version,
          ...sentOf(edit.plan),
          [field]: null,
        });
        expect(refusedNaming(res)).toEqual({ status: 400, fields: [field] });
        expect(await snapshot()).toEqual(before);
      },
    );
  });

  describe('a handover appointment (PATCH /api/handover-appointments/:appointmentId)', () => {
    const locations: string[] = [];
    const edits = fc.constant(null).chain(() =>
      partial({
        locationId: fc.constantFrom(...locations).map((l) => change(l)),
        scheduledAt: fc
          .integer({ min: 3 * 1440, max: 30 * 1440 })
          .map((m) => change(minuteFromNow(m))),
        officials: fc
          .array(fc.constantFrom('Капітан Іваненко', 'Пані Шевчук', ' Майор Бондар '), {
            minLength: 1,
            maxLength: 3,
          })
          .map((o) => change(o)),
      }),
    );
    let appointmentId: string;
    const url = () => `/api/handover-appointments/${appointmentId}`;

    beforeAll(async () => {
      for (const name of ['Перший центр', 'Другий центр']) {
        const created = await send(admin, 'post', '/api/handover/locations', {
          nameUk: name,
          nameRu: name,
          nameEn: name,
          address: `Київ, ${name}`,
          instructionsUk: 'Вхід з двору.',
          instructionsRu: 'Вход со двора.',
          instructionsEn: 'Entrance from the courtyard.',
        });
        locations.push(created.body.id);
      }
      const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
      await send(caseworker, 'put', `/api/inquiries/${id}/travel-plan`, {
        version: 0,
        originCity: 'Тамбов',
        plannedEntryIntoPoland: inDays(1).toISOString().slice(0, 10),
        crossingPointId: 'medyka-shehyni',
        plannedCrossingAt: minuteFromNow(2 * 1440),
        escortName: 'Остап Гнатюк',
        escortPhone: '+380 67 000 00 01',
        travellers: [
          {
            isInquirer: true,
            fullName: 'Петрова Ольга',
            documentKind: 'passport',
            documentNumber: '75 1234567',
          },
        ],
      });
      const { version } = await row('inquiry', id);
      expect(
        (
          await send(caseworker, 'post', `/api/inquiries/${id}/transitions`, {
            to: 'in_transit',
            version,
          })
        ).status,
      ).toBe(200);
      const scheduled = await send(
        caseworker,
        'post',
        `/api/inquiries/${id}/handover-appointments`,
        {
          locationId: locations[0],
          scheduledAt: minuteFromNow(4 * 1440),
          officials: ['Капітан Іваненко'],
        },
      );
      expect(scheduled.status).toBe(201);
      appointmentId = scheduled.body.id;
    });

    it('change exactly the fields named', async () => {
      await property(edits, async (edit) => {
        const before = await row('handover_appointment', appointmentId);
        const res = await send(caseworker, 'patch', url(), {
          version: before.version,
          ...sentOf(edit),
        });
        expect([res.status, res.body.errors]).toEqual([200, undefined]);
        const after = await row('handover_appointment', appointmentId);
        expect(res.body.version).toBe(after.version);
        expectOnlyNamed('handover_appointment', before, after, storedOf(edit));
      });
    });

    it.each(['locationId', 'scheduledAt', 'officials'])(
      'refuse null for %s whole, naming it',
      async (field) => {
        const before = await row('handover_appointment', appointmentId);
        const [edit] = fc.sample(edits, 1);
        const res = await send(caseworker, 'patch', url(), {
          version: before.version,
          ...sentOf(edit),
          [field]: null,
        });
        expect(refusedNaming(res)).toEqual({ status: 400, fields: [field] });
        expect(await row('handover_appointment', appointmentId)).toEqual(before);
      },
    );
  });

  describe('a registry record (an import naming some of its columns, CSV or JSON)', () => {
    const collapsed = (s: string) => s.trim().replace(/\s+/g, ' ');
    const day = (from: string, to: string) =>
      fc
        .date({ min: new Date(from), max: new Date(to), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    // A value, or left empty (CSV: an empty cell; JSON: "" or null) to clear the column.
    const cell = (value: fc.Arbitrary<string>, cleared: unknown = null) =>
      fc.oneof(
        { weight: 3, arbitrary: value.map((v) => change(v, collapsed(v))) },
        { weight: 1, arbitrary: fc.constantFrom('', null).map((v) => change(v, cleared)) },
      );
    const edits = fc.record({
      format: fc.constantFrom('csv', 'json'),
      surname: text.map((v) => change(v, collapsed(v))),
      givenNames: text.map((v) => change(v, collapsed(v))),
      columns: partial({
        patronymic: cell(text),
        rank: cell(text),
        birthDate: cell(day('1960-01-01', '1999-12-31')),
        placeOfBirth: cell(text),
        fathersFirstName: cell(text),
        mothersMaidenName: cell(text),
        militaryUnit: cell(text),
        capturedOn: cell(day('2014-01-01', '2024-12-31')),
        placeOfCapture: cell(text),
        locationCategory: cell(fc.constantFrom(...LOCATION_CATEGORIES), 'unknown'),
        healthNotes: cell(text),
      }),
    });
    type RegistryEdit = { format: string; surname: Change; givenNames: Change; columns: Edit };
    const NUMBER = 'PT-2000001';
    const importFile = (format: string, record: Record<string, unknown>) => {
      const request = supervisor.agent
        .post('/api/registry/imports')
        .set('X-CSRF-Token', supervisor.csrf);
      if (format === 'json') return request.send([record]);
      const header = Object.keys(record).map(column);
      const values = Object.values(record).map((v) => v ?? '');
      return request
        .set('Content-Type', 'text/csv')
        .send(Buffer.from(`${header.join(',')}\n${values.join(',')}\n`));
    };
    const recordOf = (edit: RegistryEdit) => ({
      personalNumber: NUMBER,
      surname: edit.surname.sent,
      givenNames: edit.givenNames.sent,
      ...sentOf(edit.columns),
    });
    const snapshot = async () => (await rows('prisoner', 'personal_number = $1', [NUMBER]))[0];

    beforeAll(async () => {
      const res = await importFile('json', {
        personalNumber: NUMBER,
        surname: 'Орлов',
        givenNames: 'Никита',
        patronymic: 'Ильич',
        rank: 'ефрейтор',
        birthDate: '1999-09-09',
        placeOfBirth: 'Пенза',
        fathersFirstName: 'Илья',
        mothersMaidenName: 'Котова',
        militaryUnit: 'в/ч 777',
        capturedOn: '2023-03-03',
        placeOfCapture: 'Курская обл.',
        locationCategory: 'hospital',
        healthNotes: 'контузия',
      });
      expect(res.body).toMatchObject({ created: 1 });
    });

    it('change exactly the columns a file gives', async () => {
      await property(edits, async (edit: RegistryEdit) => {
        const before = await snapshot();
        const res = await importFile(edit.format, recordOf(edit));
        expect([res.status, res.body]).toEqual([
          200,
          expect.objectContaining({ created: 0, updated: 1 }),
        ]);
        expectOnlyNamed('prisoner', before, await snapshot(), {
          surname: edit.surname.stored,
          given_names: edit.givenNames.stored,
          ...storedOf(edit.columns),
        });
      });
    });

    it.each(
      ['csv', 'json'].flatMap((format) =>
        ['personalNumber', 'surname', 'givenNames'].map((field) => ({ format, field })),
      ),
    )('refuse an empty $field ($format) whole, naming it', async ({ format, field }) => {
      const before = await snapshot();
      const [edit] = fc.sample(edits, 1);
      const res = await importFile(format, {
        ...recordOf(edit),
        [field]: format === 'csv' ? '' : null,
      });
      expect([res.status, res.body.report?.invalid]).toEqual([
        422,
        [{ row: 1, errors: [{ field, message: 'is required' }] }],
      ]);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('reference data admins edit', () => {
    const address = fc
      .tuple(text, fc.integer({ min: 1, max: 200 }))
      .map(([street, n]) => change(`Київ, ${street} ${n}`));
    let locationId: string;
    const CROSSING = 'zosin-ustyluh';
    const resources = [
      {
        name: 'a handover location (PATCH /api/handover/locations/:locationId)',
        table: 'handover_location',
        url: () => `/api/handover/locations/${locationId}`,
        id: () => locationId,
        edits: partial({ active: fc.boolean().map((b) => change(b)), address }),
        required: ['active', 'address'],
      },
      {
        name: 'a border crossing (PATCH /api/travel/crossings/:crossingId)',
        table: 'border_crossing',
        url: () => `/api/travel/crossings/${CROSSING}`,
        id: () => CROSSING,
        edits: partial({
          open: fc.boolean().map((b) => change(b)),
          traffic: fc.shuffledSubarray([...TRAFFIC_KINDS]).map((t) => change(t)),
          address,
        }),
        required: ['open', 'traffic', 'address'],
      },
    ];

    beforeAll(async () => {
      const created = await send(admin, 'post', '/api/handover/locations', {
        nameUk: 'Третій центр',
        nameRu: 'Третий центр',
        nameEn: 'Third centre',
        address: 'Київ, вул. Третя, 3',
        instructionsUk: 'Вхід з двору.',
        instructionsRu: 'Вход со двора.',
        instructionsEn: 'Entrance from the courtyard.',
      });
      locationId = created.body.id;
    });

    describe.each(resources)('$name', ({ table, url, id, edits, required }) => {
      it('change exactly the fields named', async () => {
        await property(edits, async (edit) => {
          const before = await row(table, id());
          const res = await send(admin, 'patch', url(), {
            version: before.version,
            ...sentOf(edit),
          });
          expect([res.status, res.body.errors]).toEqual([200, undefined]);
          expectOnlyNamed(table, before, await row(table, id()), storedOf(edit));
        });
      });

      it.each(required)('refuse null for %s whole, naming it', async (field) => {
        const before = await row(table, id());
        const [edit] = fc.sample(edits, 1);
        const res = await send(admin, 'patch', url(), {
          version: before.version,
          ...sentOf(edit),
          [field]: null,
        });
        expect(refusedNaming(res)).toEqual({ status: 400, fields: [field] });
        expect(await row(table, id())).toEqual(before);
      });
    });
  });
});
