import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

// The handover in Kyiv through the API: places, the appointment and what scheduling needs,
// postponement, the two officials' completion, the printable act.
describe('handover in Kyiv', () => {
  let sut: TestApp;
  let caseworker: SignedIn;
  let colleague: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let prisonerId: string;
  let locationId: string;
  let mailDir: string;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, url: string, body: object = {}) =>
    who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);
  const transition = async (id: string, to: string) => {
    const { body } = await caseworker.agent.get(`/api/inquiries/${id}`);
    const version = (body.inquiry ?? body).version as number;
    return post(caseworker, `/api/inquiries/${id}/transitions`, { to, version });
  };
  // A case whose family is on the way.
  const travelling = async () => {
    const id = await caseWithIdentitySettled(caseworker, supervisor, prisonerId);
    const plan = await caseworker.agent
      .put(`/api/inquiries/${id}/travel-plan`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        version: 0,
        originCity: 'Тамбов',
        plannedEntryIntoPoland: new Date(Date.now() + 24 * HOUR).toISOString().slice(0, 10),
        crossingPointId: 'medyka-shehyni',
        plannedCrossingAt: inHours(48),
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
    expect(plan.status).toBe(200);
    expect((await transition(id, 'in_transit')).status).toBe(200);
    return id;
  };
  const schedule = (id: string, overrides: object = {}) =>
    post(caseworker, `/api/inquiries/${id}/handover-appointments`, {
      locationId,
      scheduledAt: inHours(72),
      officials: ['Капітан Іваненко', 'Пані Шевчук'],
      ...overrides,
    });

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-handover-mail-'));
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none', MAIL_DIR: mailDir } });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'], displayName: 'Олена Коваль' });
    colleague = await signedInStaff(sut, { roles: ['caseworker'], displayName: 'Тарас Мельник' });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    admin = await signedInStaff(sut, { roles: ['admin'] });
    prisonerId = await importThePrisoner(supervisor, 'AB-4000001');
  });

  afterAll(async () => {
    await sut?.close();
    await rm(mailDir, { recursive: true, force: true });
  });

  it('keeps handover places as reference data admins edit', async () => {
    const place = {
      nameUk: 'Координаційний центр',
      nameRu: 'Координационный центр',
      nameEn: 'Coordination centre',
      address: 'Київ, вул. Прикладна, 1',
      instructionsUk: 'Вхід з двору, покажіть паспорт на посту.',
      instructionsRu: 'Вход со двора, покажите паспорт на посту.',
      instructionsEn: 'Entrance from the courtyard; show your passport at the desk.',
    };
    expect((await post(caseworker, '/api/handover/locations', place)).status).toBe(403);
    const created = await post(admin, '/api/handover/locations', place);
    expect(created.status).toBe(201);
    locationId = created.body.id;
    const missing = await post(admin, '/api/handover/locations', {
      ...place,
      instructionsEn: undefined,
    });
    expect([missing.status, missing.body.errors[0].field]).toEqual([400, 'instructionsEn']);
  });

  it('schedules only with an appointment and the family in Kyiv, or a supervisor’s override; tells the family', async () => {
    const id = await travelling();
    expect((await transition(id, 'handover_scheduled')).body.detail).toContain(
      'No handover appointment is set',
    );
    expect((await schedule(id, { scheduledAt: inHours(-1) })).status).toBe(400);
    const appointment = await schedule(id);
    expect(appointment.status).toBe(201);
    expect((await schedule(id)).status).toBe(409);
    const waiting = await transition(id, 'handover_scheduled');
    expect([waiting.status, waiting.body.detail]).toEqual([
      422,
      expect.stringContaining('not recorded as arrived in Kyiv'),
    ]);
    expect(
      (
        await post(
          caseworker,
          `/api/handover-appointments/${appointment.body.id}/arrival-override`,
          { reason: 'x' },
        )
      ).status,
    ).toBe(403);
    const override = await post(
      supervisor,
      `/api/handover-appointments/${appointment.body.id}/arrival-override`,
      {
        reason: 'the escort confirmed by phone they reached Kyiv',
      },
    );
    expect(override.status).toBe(200);
    expect((await transition(id, 'handover_scheduled')).status).toBe(200);

    // Postponed: a new appointment, and the family is told again.
    expect(
      (
        await post(caseworker, `/api/handover-appointments/${appointment.body.id}/postpone`, {
          reason: 'officials unavailable',
        })
      ).status,
    ).toBe(200);
    expect((await schedule(id, { scheduledAt: inHours(96) })).status).toBe(201);
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const subjects: string[] = [];
    const texts: string[] = [];
    for (const file of await readdir(mailDir)) {
      const mail = await simpleParser(await readFile(path.join(mailDir, file)));
      if (/Передача/.test(mail.subject ?? '')) {
        subjects.push(mail.subject!);
        texts.push(mail.text ?? '');
      }
    }
    expect(subjects.map((s) => s.replace(/^\[[^\]]+\] /, '')).sort()).toEqual([
      'Передача назначена',
      'Передача перенесена',
    ]);
    expect(texts.join('\n')).toContain('Координационный центр, Київ, вул. Прикладна, 1');
    expect(texts.join('\n')).toContain('Вход со двора, покажите паспорт на посту.');
  });

  it('completes only when a second official confirms, then hands the case over; prints the act', async () => {
    const id = await travelling();
    const appointment = await schedule(id);
    for (const [name, hoursAgo] of [
      ['entered_poland', 30],
      ['at_crossing', 28],
      ['crossed_into_ukraine', 27],
      ['met_by_escort', 26],
      ['arrived_in_kyiv', 20],
    ] as const) {
      expect(
        (
          await post(caseworker, `/api/inquiries/${id}/travel-events`, {
            step: name,
            occurredAt: inHours(-hoursAgo),
          })
        ).status,
      ).toBe(201);
    }
    expect((await transition(id, 'handover_scheduled')).status).toBe(200);
    const early = await transition(id, 'handed_over');
    expect([early.status, early.body.code]).toEqual([422, 'guard_blocked']);
    const apt = appointment.body.id as string;
    const bad = await post(caseworker, `/api/handover-appointments/${apt}/complete`, {
      handedOverAt: inHours(-1),
    });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'actNumber']);
    // An object where a time goes (its own toString, not a function) is named, not a 500.
    const odd = await post(caseworker, `/api/handover-appointments/${apt}/complete`, {
      handedOverAt: { toString: 'yesterday' },
      actNumber: 'АКТ-2026/117',
    });
    expect([odd.status, odd.body.errors?.[0]?.field]).toEqual([400, 'handedOverAt']);
    const recorded = await post(caseworker, `/api/handover-appointments/${apt}/complete`, {
      handedOverAt: inHours(-1),
      actNumber: 'АКТ-2026/117',
    });
    expect(recorded.body.state).toBe('awaiting_confirmation');
    expect((await transition(id, 'handed_over')).status).toBe(422);
    const self = await post(caseworker, `/api/handover-appointments/${apt}/confirm`);
    expect([self.status, self.body.code]).toEqual([409, 'four_eyes_required']);
    const confirmed = await post(colleague, `/api/handover-appointments/${apt}/confirm`);
    expect(confirmed.body).toMatchObject({
      state: 'completed',
      completedBy: caseworker.user.id,
      confirmedBy: colleague.user.id,
    });
    const done = await transition(id, 'handed_over');
    expect([done.status, done.body.status]).toEqual([200, 'handed_over']);

    const act = await caseworker.agent.get(`/api/handover-appointments/${apt}/act`);
    expect(act.status).toBe(200);
    expect(act.headers['content-type']).toMatch(/text\/html/);
    for (const text of [
      'Акт передачі № АКТ-2026/117',
      'Петров Алексей Сергеевич',
      'Петрова Ольга Ивановна',
      'Капітан Іваненко',
      'Олена Коваль / Тарас Мельник',
    ]) {
      expect(act.text).toContain(text);
    }
    const [viewed] = await sql<{ actor: string }>(
      `SELECT actor FROM audit_event WHERE action = 'handover.act_viewed'`,
    );
    expect(viewed.actor).toBe(caseworker.user.id);
  });

  it('reschedules a scheduled appointment with its version, audited; a new time or place is told to the family', async () => {
    const id = await travelling();
    const created = await schedule(id);
    expect(created.body.version).toBe(1);
    const url = `/api/handover-appointments/${created.body.id}`;
    const patch = (body: object, who: SignedIn = caseworker) =>
      who.agent.patch(url).set('X-CSRF-Token', who.csrf).send(body);
    const letters = async () =>
      (
        await sql<{ payload: { rescheduled?: boolean } }>(
          `SELECT payload FROM outbox_message
           WHERE inquiry_id = $1 AND event_type = 'family.handover_scheduled' ORDER BY created_at`,
          [id],
        )
      ).map((l) => l.payload.rescheduled ?? false);

    const officials = await patch({ version: 1, officials: ['Майор Бондар'] });
    expect(officials.status).toBe(200);
    expect(officials.body).toMatchObject({
      version: 2,
      officials: ['Майор Бондар'],
      locationId,
      scheduledAt: created.body.scheduledAt,
    });
    const { timeline } = (await caseworker.agent.get(`/api/inquiries/${id}`)).body;
    const [event] = timeline.filter((t: { action: string }) => t.action === 'handover.rescheduled');
    expect(event.detail).toEqual({
      officials: { from: ['Капітан Іваненко', 'Пані Шевчук'], to: ['Майор Бондар'] },
    });

    const closedPlace = await post(admin, '/api/handover/locations', {
      nameUk: 'Старий центр',
      nameRu: 'Старый центр',
      nameEn: 'Old centre',
      address: 'Київ, вул. Стара, 2',
      instructionsUk: 'Більше не працює.',
      instructionsRu: 'Больше не работает.',
      instructionsEn: 'No longer in use.',
    });
    await admin.agent
      .patch(`/api/handover/locations/${closedPlace.body.id}`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ version: 1, active: false });
    const refusals: [object, string][] = [
      [{ version: 2, scheduledAt: null }, 'scheduledAt'],
      [{ version: 2, officials: null }, 'officials'],
      [{ version: 2, scheduledAt: inHours(-2) }, 'scheduledAt'],
      [{ version: 2, locationId: closedPlace.body.id }, 'locationId'],
      [{ scheduledAt: inHours(80) }, 'version'],
    ];
    for (const [body, field] of refusals) {
      const res = await patch(body);
      expect([field, res.status, res.body.errors?.[0]?.field]).toEqual([field, 400, field]);
    }
    const stale = await patch({ version: 1, scheduledAt: inHours(80) });
    expect([stale.status, stale.body.code]).toEqual([409, 'stale_version']);
    expect((await patch({ version: 2 }, admin)).status).toBe(403);

    // Once the family knows the appointment, a new time is told again; new officials are not.
    await post(supervisor, `${url}/arrival-override`, { reason: 'the escort confirmed by phone' });
    expect((await transition(id, 'handover_scheduled')).status).toBe(200);
    expect(await letters()).toEqual([false]);
    const later = inHours(100);
    const moved = await patch({ version: 3, scheduledAt: later });
    expect([moved.status, moved.body.version]).toEqual([200, 4]);
    expect(new Date(moved.body.scheduledAt).toISOString()).toBe(later);
    await patch({ version: 4, officials: ['Майор Бондар', 'Пані Шевчук'] });
    expect(await letters()).toEqual([false, true]);

    await post(caseworker, `${url}/postpone`, { reason: 'officials unavailable' });
    const postponed = await patch({ version: 6, scheduledAt: inHours(120) });
    expect([postponed.status, postponed.body.title]).toEqual([409, 'The handover is postponed']);
  });

  it('records a failed handover with its reason', async () => {
    const id = await travelling();
    const appointment = await schedule(id);
    const noReason = await post(
      caseworker,
      `/api/handover-appointments/${appointment.body.id}/fail`,
      {},
    );
    expect([noReason.status, noReason.body.errors[0].field]).toEqual([400, 'reason']);
    const failed = await post(
      caseworker,
      `/api/handover-appointments/${appointment.body.id}/fail`,
      { reason: 'he fell ill on the day' },
    );
    expect(failed.body).toMatchObject({ state: 'failed', reason: 'he fell ill on the day' });
    expect((await schedule(id)).status).toBe(201);
  });
});
