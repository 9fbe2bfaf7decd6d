import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { CrossingOverdueNotifier } from '../src/travel/crossing-overdue.notifier.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
const inDays = (d: number) => new Date(Date.now() + d * 24 * HOUR).toISOString().slice(0, 10);

// The journey through the API: crossing points, the plan (validation, versions, sealed document
// numbers), what start_transit needs, the instructions the family gets, the steps in order, and
// a crossing overdue.
describe('travel through Poland', () => {
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let prisonerId: string;
  let mailDir: string;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const send = (who: SignedIn, method: 'post' | 'put' | 'patch', url: string, body: object) =>
    who.agent[method](url).set('X-CSRF-Token', who.csrf).send(body);
  const completePlan = (version: number, overrides: Record<string, unknown> = {}) => ({
    version,
    originCity: 'Тамбов',
    originCountry: 'RU',
    plannedEntryIntoPoland: inDays(2),
    crossingPointId: 'medyka-shehyni',
    plannedCrossingAt: inHours(72),
    escortName: 'Остап Гнатюк',
    escortPhone: '+380 67 000 00 01',
    travellers: [
      {
        isInquirer: true,
        fullName: 'Петрова Ольга Ивановна',
        documentKind: 'passport',
        documentNumber: '75 1234567',
      },
      {
        isInquirer: false,
        fullName: 'Петров Сергей',
        relationship: 'father',
        documentKind: 'passport',
        documentNumber: '75 7654321',
      },
    ],
    ...overrides,
  });
  const transition = async (id: string, to: string) => {
    const { body } = await caseworker.agent.get(`/api/inquiries/${id}`);
    const version = (body.inquiry ?? body).version as number;
    return send(caseworker, 'post', `/api/inquiries/${id}/transitions`, { to, version });
  };
  const outbox = async (id: string) =>
    (
      await sql<{ event_type: string; payload: Record<string, unknown> }>(
        `SELECT event_type, payload FROM outbox_message WHERE inquiry_id = $1 ORDER BY created_at`,
        [id],
      )
    ).filter((r) => r.event_type === 'family.travel_instructions');

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-travel-mail-'));
    sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        MAIL_DIR: mailDir,
        TRAVEL_EMERGENCY_PHONE: '+380 44 000 00 00',
      },
    });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    admin = await signedInStaff(sut, { roles: ['admin'] });
    prisonerId = await importThePrisoner(supervisor, 'AB-3000001');
  });

  afterAll(async () => {
    await sut?.close();
    await rm(mailDir, { recursive: true, force: true });
  });

  it('lists the eight road crossings in four languages; admins close one, audited and versioned', async () => {
    const list = await caseworker.agent.get('/api/travel/crossings');
    expect(list.body).toHaveLength(8);
    const medyka = list.body.find((c: { id: string }) => c.id === 'medyka-shehyni');
    expect(medyka).toMatchObject({
      namePl: 'Medyka–Szeginie',
      nameUk: 'Медика–Шегині',
      nameRu: 'Медыка–Шегини',
      open: true,
    });
    expect(
      (
        await send(caseworker, 'patch', '/api/travel/crossings/zosin-ustyluh', {
          version: 1,
          open: false,
        })
      ).status,
    ).toBe(403);
    const closed = await send(admin, 'patch', '/api/travel/crossings/zosin-ustyluh', {
      version: 1,
      open: false,
    });
    expect(closed.body).toMatchObject({ open: false, version: 2 });
    const stale = await send(admin, 'patch', '/api/travel/crossings/zosin-ustyluh', {
      version: 1,
      open: true,
    });
    expect(stale.status).toBe(409);
    const [event] = await sql<{ actor: string }>(
      `SELECT actor FROM audit_event WHERE action = 'crossing.update'`,
    );
    expect(event.actor).toBe(admin.user.id);
  });

  it('refuses a bad plan, naming the field, and writes nothing', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const refusals: [Record<string, unknown>, string, number][] = [
      [{ crossingPointId: 'nowhere' }, 'crossingPointId', 400],
      [{ crossingPointId: 'zosin-ustyluh' }, 'crossingPointId', 400], // closed by the test above
      [{ plannedCrossingAt: inHours(-1) }, 'plannedCrossingAt', 400],
      [{ plannedEntryIntoPoland: inDays(-1) }, 'plannedEntryIntoPoland', 400],
      [{ plannedEntryIntoPoland: inDays(10) }, 'plannedEntryIntoPoland', 400],
      [{ escortPhone: 'call me' }, 'escortPhone', 400],
      [
        {
          travellers: [
            {
              isInquirer: false,
              fullName: 'Кто-то',
              relationship: 'uncle',
              documentKind: 'passport',
              documentNumber: '1234',
            },
          ],
        },
        'travellers',
        400,
      ],
    ];
    for (const [change, field, status] of refusals) {
      const res = await send(
        caseworker,
        'put',
        `/api/inquiries/${id}/travel-plan`,
        completePlan(0, change),
      );
      expect([field, res.status]).toEqual([field, status]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await caseworker.agent.get(`/api/inquiries/${id}/travel-plan`)).status).toBe(404);
  });

  it('needs a complete plan to set off, sends the instructions, and sends them again when the plan changes', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const partial = await send(caseworker, 'put', `/api/inquiries/${id}/travel-plan`, {
      ...completePlan(0),
      escortName: undefined,
      escortPhone: undefined,
    });
    expect(partial.status).toBe(200);
    expect(partial.body.travellers.map((t: { documentLast4: string }) => t.documentLast4)).toEqual([
      '4567',
      '4321',
    ]);
    expect(JSON.stringify(partial.body)).not.toContain('1234567');
    const [stored] = await sql<{ sealed: string }>(
      `SELECT document_number_sealed AS sealed FROM traveller WHERE full_name = 'Петрова Ольга Ивановна' LIMIT 1`,
    );
    expect(stored.sealed).toMatch(/^v2\.[0-9a-f]{8}\./);

    const blocked = await transition(id, 'in_transit');
    expect(blocked.status).toBe(422);
    expect(blocked.body.detail).toContain("the escort's name, the escort's phone");

    const stale = await send(
      caseworker,
      'put',
      `/api/inquiries/${id}/travel-plan`,
      completePlan(0),
    );
    expect(stale.status).toBe(409);
    const complete = await send(
      caseworker,
      'put',
      `/api/inquiries/${id}/travel-plan`,
      completePlan(1),
    );
    expect(complete.body.version).toBe(2);
    expect((await transition(id, 'in_transit')).status).toBe(200);
    expect(await outbox(id)).toHaveLength(1);

    await send(
      caseworker,
      'put',
      `/api/inquiries/${id}/travel-plan`,
      completePlan(2, { crossingPointId: 'korczowa-krakovets' }),
    );
    const letters = await outbox(id);
    expect(letters.map((l) => l.payload.planChanged ?? false)).toEqual([false, true]);

    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const texts: string[] = [];
    for (const file of await readdir(mailDir)) {
      const mail = await simpleParser(await readFile(path.join(mailDir, file)));
      if (/поездк/i.test(mail.subject ?? '')) texts.push(mail.text ?? '');
    }
    expect(texts).toHaveLength(2);
    const latest = texts.find((t) => t.includes('изменился'))!;
    expect(latest).toContain('Корчова–Краковец (Korczowa, Podkarpackie, Poland)');
    expect(latest).toContain('Остап Гнатюк, телефон +380 67 000 00 01');
    expect(latest).toContain('+380 44 000 00 00');
  });

  it('edits part of a plan: what is left out is kept, null clears, the same checks and letters as a whole save', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const url = `/api/inquiries/${id}/travel-plan`;
    const none = await send(caseworker, 'patch', url, { version: 1, notes: 'x' });
    expect([none.status, none.body.code]).toEqual([404, 'not_found']);
    expect((await send(caseworker, 'put', url, completePlan(0, { notes: 'by bus' }))).status).toBe(
      200,
    );
    const travellers = () =>
      sql(
        `SELECT t.* FROM traveller t JOIN travel_plan p ON p.id = t.travel_plan_id
           WHERE p.inquiry_id = $1 ORDER BY t.position`,
        [id],
      );
    const kept = await travellers();

    const escort = await send(caseworker, 'patch', url, {
      version: 1,
      escortPhone: '+380 67 000 00 02',
      notes: null,
    });
    expect(escort.status).toBe(200);
    expect(escort.body).toMatchObject({
      version: 2,
      escortPhone: '+380 67 000 00 02',
      notes: null,
      escortName: 'Остап Гнатюк',
      originCity: 'Тамбов',
      crossingPointId: 'medyka-shehyni',
    });
    expect(escort.body.travellers).toHaveLength(2);
    expect(await travellers()).toEqual(kept);

    // A field the plan needs refuses null, naming it; a stale version is refused; the merged plan
    // is checked (an entry into Poland after the stored crossing).
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ version: 2, travellers: null }, 400, 'travellers'],
      [{ version: 2, escortPhone: 'call me' }, 400, 'escortPhone'],
      [{ version: 2, plannedEntryIntoPoland: inDays(10) }, 400, 'plannedEntryIntoPoland'],
      [{ version: 0, notes: 'x' }, 400, 'version'],
      [{ notes: 'x' }, 400, 'version'],
    ];
    for (const [body, status, field] of refusals) {
      const res = await send(caseworker, 'patch', url, body);
      expect([field, res.status]).toEqual([field, status]);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const stale = await send(caseworker, 'patch', url, { version: 1, notes: 'x' });
    expect([stale.status, stale.body.code]).toEqual([409, 'stale_version']);

    const replaced = await send(caseworker, 'patch', url, {
      version: 2,
      travellers: [completePlan(0).travellers[0]],
    });
    expect(replaced.body).toMatchObject({ version: 3, escortPhone: '+380 67 000 00 02' });
    expect((await travellers()).map((t) => t.full_name)).toEqual(['Петрова Ольга Ивановна']);
    // Travelling: a change sends the instructions again; an edit that changes nothing does not.
    expect((await transition(id, 'in_transit')).status).toBe(200);
    await send(caseworker, 'patch', url, { version: 3, escortName: 'Остап Гнатюк' });
    expect(await outbox(id)).toHaveLength(1);
    const moved = await send(caseworker, 'patch', url, {
      version: 3,
      crossingPointId: 'korczowa-krakovets',
    });
    expect(moved.body.version).toBe(4);
    expect((await outbox(id)).map((l) => l.payload.planChanged ?? false)).toEqual([false, true]);
    const audit = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE inquiry_id = $1 AND action = 'travel.plan_saved'`,
      [id],
    );
    expect(audit[0].n).toBe(4);
  });

  it('records the journey in order, refusing a step out of order with the reason', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    await send(caseworker, 'put', `/api/inquiries/${id}/travel-plan`, completePlan(0));
    expect((await transition(id, 'in_transit')).status).toBe(200);
    const step = (name: string, hoursAgo: number) =>
      send(caseworker, 'post', `/api/inquiries/${id}/travel-events`, {
        step: name,
        occurredAt: inHours(-hoursAgo),
      });

    const early = await step('crossed_into_ukraine', 5);
    expect(early.status).toBe(409);
    expect(early.body.detail).toBe(
      'crossed_into_ukraine comes after entered_poland, at_crossing, not recorded yet.',
    );
    expect((await step('entered_poland', 10)).status).toBe(201);
    expect((await step('entered_poland', 9)).status).toBe(409);
    const backwards = await step('at_crossing', 11);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('occurredAt');
    expect((await step('at_crossing', 6)).status).toBe(201);
    const future = await step('crossed_into_ukraine', -2);
    expect([future.status, future.body.errors?.[0]?.field]).toEqual([400, 'occurredAt']);
    expect((await step('crossed_into_ukraine', 5)).status).toBe(201);
    const events = await caseworker.agent.get(`/api/inquiries/${id}/travel-events`);
    expect(events.body.map((e: { step: string }) => e.step)).toEqual([
      'entered_poland',
      'at_crossing',
      'crossed_into_ukraine',
    ]);
    const timeline = await sql<{ action: string }>(
      `SELECT action FROM audit_event WHERE inquiry_id = $1 AND action = 'travel.step'`,
      [id],
    );
    expect(timeline).toHaveLength(3);
  });

  it('raises a crossing overdue 12 hours after the plan said, until the family has crossed', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    await send(caseworker, 'put', `/api/inquiries/${id}/travel-plan`, completePlan(0));
    expect((await transition(id, 'in_transit')).status).toBe(200);
    const overdue = async () =>
      ((await caseworker.agent.get('/api/travel/overdue')).body as { inquiryId: string }[]).map(
        (o) => o.inquiryId,
      );
    expect(await overdue()).not.toContain(id);
    await sql(
      `UPDATE travel_plan SET planned_crossing_at = now() - interval '11 hours' WHERE inquiry_id = $1`,
      [id],
    );
    expect(await overdue()).not.toContain(id);
    await sql(
      `UPDATE travel_plan SET planned_crossing_at = now() - interval '13 hours' WHERE inquiry_id = $1`,
      [id],
    );
    expect(await overdue()).toContain(id);
    expect(
      (await caseworker.agent.get(`/api/inquiries/${id}/travel-plan`)).body.crossingOverdue,
    ).toBe(true);
    // The caseworker is told once (the case is unassigned: whoever planned the journey).
    const notifier = sut.app.get(CrossingOverdueNotifier);
    expect(await notifier.notifyOnce()).toBeGreaterThanOrEqual(1);
    expect(await notifier.notifyOnce()).toBe(0);
    const alerts = await sql<{ recipient_id: string; payload: { crossingName: string } }>(
      `SELECT recipient_id, payload FROM outbox_message
       WHERE inquiry_id = $1 AND event_type = 'staff.crossing_overdue'`,
      [id],
    );
    expect(alerts).toEqual([
      expect.objectContaining({
        recipient_id: caseworker.user.id,
        payload: expect.objectContaining({ crossingName: 'Медика–Шегині' }),
      }),
    ]);
    for (const [name, hoursAgo] of [
      ['entered_poland', 12],
      ['at_crossing', 11],
      ['crossed_into_ukraine', 10],
    ] as const) {
      const res = await send(caseworker, 'post', `/api/inquiries/${id}/travel-events`, {
        step: name,
        occurredAt: inHours(-hoursAgo),
      });
      expect(res.status).toBe(201);
    }
    expect(await overdue()).not.toContain(id);
  });

  it('lists the day’s expected travellers at a crossing for supervisors, as a page and as CSV, audited', async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const crossingAt = inHours(100);
    await send(
      caseworker,
      'put',
      `/api/inquiries/${id}/travel-plan`,
      completePlan(0, {
        crossingPointId: 'budomierz-hrushiv',
        plannedCrossingAt: crossingAt,
      }),
    );
    const [{ reference }] = await sql<{ reference: string }>(
      `SELECT reference FROM inquiry WHERE id = $1`,
      [id],
    );
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: sut.config.mail.timeZone }).format(
      new Date(crossingAt),
    );
    const url = `/api/travel/manifest?crossingPointId=budomierz-hrushiv&date=${day}`;
    expect((await caseworker.agent.get(url)).status).toBe(403);
    const csv = await supervisor.agent.get(`${url}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`manifest-budomierz-hrushiv-${day}.csv`);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('reference,traveller,role,document,planned_crossing,escort,escort_phone');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      `${reference},Петрова Ольга Ивановна,inquirer,passport …4567`,
      `${reference},Петров Сергей,father,passport …4321`,
    ]);
    expect(csv.text).not.toContain('1234567');
    const page = await supervisor.agent.get(url);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Будомєж–Грушів');
    expect(page.text).toContain('Остап Гнатюк');
    const other = await supervisor.agent.get(
      `/api/travel/manifest?crossingPointId=medyka-shehyni&date=${day}&format=csv`,
    );
    expect(other.text).not.toContain(reference);
    const bad = await supervisor.agent.get(
      '/api/travel/manifest?crossingPointId=budomierz-hrushiv&date=11/12/2026',
    );
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'date']);
    const audit = await sql<{ action: string }>(
      `SELECT action FROM audit_event WHERE action LIKE 'travel.manifest_%' ORDER BY occurred_at`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'travel.manifest_downloaded',
      'travel.manifest_viewed',
      'travel.manifest_downloaded',
    ]);
  });

  // Each piece of the plan start_transit needs, left out on its own: the transition is refused,
  // naming it.
  const PIECES: [string, Record<string, unknown>, string][] = [
    ['origin', { originCity: undefined }, 'where they travel from'],
    ['entry', { plannedEntryIntoPoland: undefined }, 'the date of entry into Poland'],
    ['crossing', { crossingPointId: undefined }, 'the crossing point'],
    ['time', { plannedCrossingAt: undefined }, 'the time of crossing'],
    ['escort', { escortName: undefined }, "the escort's name"],
    ['escort phone', { escortPhone: undefined }, "the escort's phone"],
  ];

  it.each(PIECES)('start_transit is refused without %s', async (_piece, left, named) => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const saved = await send(
      caseworker,
      'put',
      `/api/inquiries/${id}/travel-plan`,
      completePlan(0, left),
    );
    expect(saved.status).toBe(200);
    const refused = await transition(id, 'in_transit');
    expect([refused.status, refused.body.code]).toEqual([422, 'guard_blocked']);
    expect(refused.body.detail).toBe(`The travel plan lacks ${named}.`);
  });
});
