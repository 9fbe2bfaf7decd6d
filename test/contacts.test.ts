import { caseKeys, revealDiff } from '../src/audit/audit-case-keys.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createInquiry, inquiryBody } from './support/inquiries.js';

const HOUR = 3_600_000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

describe('calls and callbacks', () => {
  let sut: TestApp;
  let intake: SignedIn;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let auditor: SignedIn;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const count = async (text: string, params: unknown[] = []) =>
    (await sql<{ n: number }>(text, params))[0].n;
  const post = (who: SignedIn, path: string, body: Record<string, unknown>) =>
    who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);

  const logCall = (who: SignedIn, inquiryId: string, body: Record<string, unknown> = {}) =>
    post(who, `/api/inquiries/${inquiryId}/calls`, {
      direction: 'outbound',
      durationSeconds: 95,
      outcome: 'answered',
      ...body,
    });
  const schedule = async (
    who: SignedIn,
    inquiryId: string,
    body: Record<string, unknown> = {},
  ): Promise<{ id: string; version: number }> => {
    const res = await post(who, `/api/inquiries/${inquiryId}/callbacks`, {
      dueAt: inHours(2),
      ...body,
    });
    if (res.status !== 201) throw new Error(`schedule: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; version: number };
  };

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    intake = await signedInStaff(sut, { roles: ['intake'] });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    auditor = await signedInStaff(sut, { roles: ['auditor'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  describe('calls', () => {
    it('logs a call with who made it, audited in the inquiry chain, and lists it', async () => {
      const { id } = await createInquiry(intake);
      const occurredAt = new Date(Date.now() - 10 * 60_000).toISOString();

      const res = await logCall(intake, id, {
        direction: 'inbound',
        occurredAt,
        durationSeconds: 312,
        notes: '  Mother asks whether a letter can be passed on.  ',
      });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        inquiryId: id,
        direction: 'inbound',
        occurredAt,
        durationSeconds: 312,
        outcome: 'answered',
        notes: 'Mother asks whether a letter can be passed on.',
        staffId: intake.user.id,
      });
      const [event] = await sql<{ stream: string; actor: string; diff: object }>(
        `SELECT stream, actor, diff FROM audit_event WHERE action = 'call.log' AND entity_id = $1`,
        [res.body.id],
      );
      expect(event).toMatchObject({ stream: `inquiry:${id}`, actor: intake.user.id });
      expect(JSON.stringify(event.diff)).not.toContain('letter');

      const listed = await auditor.agent.get(`/api/inquiries/${id}/calls`);
      expect(listed.status).toBe(200);
      expect(listed.body.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
    });

    it('defaults the time to now and the duration to 0', async () => {
      const { id } = await createInquiry(intake);
      const before = Date.now();

      const res = await logCall(caseworker, id, { durationSeconds: undefined, outcome: 'busy' });

      expect(res.status).toBe(201);
      expect(res.body.durationSeconds).toBe(0);
      expect(new Date(res.body.occurredAt).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    });

    it('refuses bad input naming each field, and writes nothing', async () => {
      const { id } = await createInquiry(intake);
      const calls = () => count('SELECT count(*)::int AS n FROM call');
      const before = await calls();

      const res = await logCall(intake, id, {
        direction: 'sideways',
        durationSeconds: -5,
        outcome: 'hung_up',
        occurredAt: inHours(1),
        staffId: caseworker.user.id,
      });
      const noOffset = await logCall(intake, id, { occurredAt: '2026-05-01T14:00:00' });

      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(new Set((res.body.errors as { field: string }[]).map((e) => e.field))).toEqual(
        new Set(['direction', 'durationSeconds', 'outcome', 'occurredAt', 'staffId']),
      );
      expect([noOffset.status, noOffset.body.errors?.[0]?.field]).toEqual([400, 'occurredAt']);
      expect(await calls()).toBe(before);
    });

    it('answers 404 for an unknown inquiry and 400 for an id that is no uuid', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';

      const logged = await logCall(intake, missing);
      const listed = await intake.agent.get(`/api/inquiries/${missing}/calls`);
      const malformed = await intake.agent.get('/api/inquiries/not-a-uuid/calls');

      expect([logged.status, logged.body.code]).toEqual([404, 'not_found']);
      expect([listed.status, listed.body.code]).toEqual([404, 'not_found']);
      expect(malformed.status).toBe(400);
    });
  });

  describe('callbacks', () => {
    it('schedules: open, the inquirer phone by default, family notice and audit in one go', async () => {
      // A family asking for the first time (a known person's new case would also record whose).
      const { id } = await createInquiry(intake, {
        inquirer: { ...inquiryBody().inquirer, fullName: 'Кравець Ольга Іванівна' },
      });
      const dueAt = inHours(3);

      const res = await post(caseworker, `/api/inquiries/${id}/callbacks`, {
        dueAt,
        notes: 'Promised news on the registry check',
      });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        inquiryId: id,
        dueAt,
        windowMinutes: 60,
        phone: '+79161234567',
        state: 'open',
        createdBy: caseworker.user.id,
        completedBy: null,
        version: 1,
      });
      const outbox = await sql<{ recipient_kind: string; recipient_id: string; payload: object }>(
        `SELECT recipient_kind, recipient_id, payload FROM outbox_message
         WHERE inquiry_id = $1 AND event_type = 'family.callback_scheduled'`,
        [id],
      );
      const [{ inquirer_id: inquirerId }] = await sql<{ inquirer_id: string }>(
        'SELECT inquirer_id FROM inquiry WHERE id = $1',
        [id],
      );
      expect(outbox).toEqual([
        {
          recipient_kind: 'inquirer',
          recipient_id: inquirerId,
          payload: { dueAt, windowMinutes: 60, phone: '+79161234567' },
        },
      ]);
      const stream = await sql<{ action: string; seq: string }>(
        `SELECT action, seq FROM audit_event WHERE stream = $1 ORDER BY seq`,
        [`inquiry:${id}`],
      );
      expect(stream.map((e) => e.action)).toEqual(['inquiry.create', 'callback.schedule']);
    });

    it('takes another number and a window, normalised to E.164', async () => {
      const { id } = await createInquiry(intake);

      const res = await post(intake, `/api/inquiries/${id}/callbacks`, {
        dueAt: inHours(1),
        windowMinutes: 120,
        phone: '+380 44 123 4567',
      });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ windowMinutes: 120, phone: '+380441234567' });
    });

    it('needs a number to call when the inquirer has none on record', async () => {
      const { id } = await createInquiry(intake, {
        channel: 'email',
        inquirer: { fullName: 'Петрова Ольга', relationship: 'mother', emails: ['o@mail.ru'] },
      });

      const without = await post(intake, `/api/inquiries/${id}/callbacks`, { dueAt: inHours(1) });
      const withPhone = await post(intake, `/api/inquiries/${id}/callbacks`, {
        dueAt: inHours(1),
        phone: '+79031234567',
      });

      expect([without.status, without.body.errors?.[0]?.field]).toEqual([400, 'phone']);
      expect([withPhone.status, withPhone.body.phone]).toEqual([201, '+79031234567']);
    });

    it('refuses bad input naming each field, and writes nothing', async () => {
      const { id } = await createInquiry(intake);
      const rows = () => count('SELECT count(*)::int AS n FROM callback');
      const before = await rows();

      const res = await post(intake, `/api/inquiries/${id}/callbacks`, {
        dueAt: inHours(-1),
        windowMinutes: 1000,
        phone: 'call her mobile',
        state: 'done',
      });
      const noDue = await post(intake, `/api/inquiries/${id}/callbacks`, {});
      const impossibleDay = await post(intake, `/api/inquiries/${id}/callbacks`, {
        dueAt: `${new Date().getUTCFullYear() + 1}-02-30T10:00:00Z`,
      });

      expect(res.status).toBe(400);
      expect(new Set((res.body.errors as { field: string }[]).map((e) => e.field))).toEqual(
        new Set(['dueAt', 'windowMinutes', 'phone', 'state']),
      );
      expect(res.body.errors.find((e: { field: string }) => e.field === 'dueAt').message).toBe(
        'dueAt must not be in the past',
      );
      expect([noDue.status, noDue.body.errors?.[0]?.field]).toEqual([400, 'dueAt']);
      expect([impossibleDay.status, impossibleDay.body.errors?.[0]?.field]).toEqual([400, 'dueAt']);
      expect(await rows()).toBe(before);
    });

    it('completes with the version seen, linked to the call; stale or closed → 409', async () => {
      const { id } = await createInquiry(intake);
      const callback = await schedule(intake, id);
      const call = await logCall(caseworker, id);

      const stale = await post(caseworker, `/api/callbacks/${callback.id}/complete`, {
        version: 7,
      });
      const done = await post(caseworker, `/api/callbacks/${callback.id}/complete`, {
        version: 1,
        callId: call.body.id,
        notes: 'Told her the check takes a week',
      });
      const again = await post(caseworker, `/api/callbacks/${callback.id}/miss`, { version: 2 });

      expect([stale.status, stale.body.code, stale.body.currentVersion]).toEqual([
        409,
        'stale_version',
        1,
      ]);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({
        state: 'done',
        version: 2,
        completedBy: caseworker.user.id,
        completingCallId: call.body.id,
        closingNote: 'Told her the check takes a week',
      });
      expect(done.body.completedAt).not.toBeNull();
      expect([again.status, again.body.code, again.body.state]).toEqual([409, 'conflict', 'done']);
      const actions = await sql<{ action: string; diff: object }>(
        `SELECT action, diff FROM audit_event WHERE entity_id = $1 ORDER BY seq`,
        [callback.id],
      );
      expect(actions.map((a) => a.action)).toEqual(['callback.schedule', 'callback.complete']);
      expect(actions[1].diff).toEqual({
        state: { from: 'open', to: 'done' },
        completingCallId: { to: call.body.id },
      });
    });

    it('refuses a completing call from another inquiry, naming callId', async () => {
      const { id } = await createInquiry(intake);
      const other = await createInquiry(intake);
      const callback = await schedule(intake, id);
      const foreignCall = await logCall(intake, other.id);

      const res = await post(intake, `/api/callbacks/${callback.id}/complete`, {
        version: 1,
        callId: foreignCall.body.id,
      });

      expect([res.status, res.body.errors?.[0]?.field]).toEqual([400, 'callId']);
      const [row] = await sql<{ state: string; version: number }>(
        'SELECT state, version FROM callback WHERE id = $1',
        [callback.id],
      );
      expect(row).toEqual({ state: 'open', version: 1 });
    });

    it('marks missed, and cancels only with a reason, which the audit trail keeps', async () => {
      const { id } = await createInquiry(intake);
      const toMiss = await schedule(intake, id);
      const toCancel = await schedule(intake, id);

      const missed = await post(supervisor, `/api/callbacks/${toMiss.id}/miss`, {
        version: 1,
        notes: 'Line was down all afternoon',
      });
      const noReason = await post(supervisor, `/api/callbacks/${toCancel.id}/cancel`, {
        version: 1,
        reason: '   ',
      });
      const cancelled = await post(supervisor, `/api/callbacks/${toCancel.id}/cancel`, {
        version: 1,
        reason: 'Family asked us to write instead',
      });
      const cancelTwice = await post(supervisor, `/api/callbacks/${toCancel.id}/cancel`, {
        version: 2,
        reason: 'again',
      });

      expect(missed.status).toBe(200);
      expect(missed.body).toMatchObject({ state: 'missed', version: 2 });
      expect([noReason.status, noReason.body.errors?.[0]?.field]).toEqual([400, 'reason']);
      expect(cancelled.body).toMatchObject({
        state: 'cancelled',
        closingNote: 'Family asked us to write instead',
        completedBy: supervisor.user.id,
      });
      expect([cancelTwice.status, cancelTwice.body.state]).toEqual([409, 'cancelled']);
      const [stored] = await sql<{ stream: string; diff: Record<string, unknown> }>(
        `SELECT stream, diff FROM audit_event WHERE action = 'callback.cancel' AND entity_id = $1`,
        [toCancel.id],
      );
      // The reason is sealed under the case's key in the stored event, and read with it.
      expect(JSON.stringify(stored.diff)).not.toContain('Family asked');
      const key = (await caseKeys(sut.app.get(DataSource).manager, [id])).get(id);
      const cancelEvent = { ...stored, diff: revealDiff(stored.diff, key) };
      expect(cancelEvent).toEqual({
        stream: `inquiry:${id}`,
        diff: {
          state: { from: 'open', to: 'cancelled' },
          reason: { to: 'Family asked us to write instead' },
        },
      });
      expect(
        await count(
          `SELECT count(*)::int AS n FROM audit_event WHERE action = 'callback.miss' AND entity_id = $1`,
          [toMiss.id],
        ),
      ).toBe(1);
      const listed = await auditor.agent.get(`/api/inquiries/${id}/callbacks`);
      expect(listed.body.map((c: { state: string }) => c.state).sort()).toEqual([
        'cancelled',
        'missed',
      ]);
    });

    it('lets exactly one of 10 simultaneous closings with the same version through', async () => {
      const { id } = await createInquiry(intake);
      const callback = await schedule(intake, id);

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? post(caseworker, `/api/callbacks/${callback.id}/complete`, { version: 1 })
            : post(caseworker, `/api/callbacks/${callback.id}/miss`, { version: 1 }),
        ),
      );

      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(
        answers
          .filter((a) => a.status !== 200)
          .every((a) => a.status === 409 && a.body.code === 'stale_version'),
      ).toBe(true);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM audit_event WHERE entity_id = $1 AND action <> 'callback.schedule'`,
          [callback.id],
        ),
      ).toBe(1);
    });

    it('answers 404 for an unknown callback', async () => {
      const res = await post(
        caseworker,
        '/api/callbacks/00000000-0000-4000-8000-000000000000/miss',
        {
          version: 1,
        },
      );

      expect([res.status, res.body.code, res.body.title]).toEqual([
        404,
        'not_found',
        'No such callback',
      ]);
    });
  });

  describe('overdue callbacks', () => {
    let owner: SignedIn;
    const ids: Record<string, string> = {};

    // Moves a callback's promised time, as if it had been scheduled earlier.
    const dueHoursAgo = (callbackId: string, hours: number) =>
      sql(`UPDATE callback SET due_at = now() - $2 * interval '1 hour' WHERE id = $1`, [
        callbackId,
        hours,
      ]);
    const overdue = (who: SignedIn, query: Record<string, string | number> = {}) =>
      who.agent.get('/api/callbacks/overdue').query(query);

    beforeAll(async () => {
      owner = await signedInStaff(sut, { roles: ['caseworker'] });
      const mine = await createInquiry(intake, {
        inquirer: {
          fullName: 'Сидорова Анна Петровна',
          relationship: 'mother',
          phones: ['+79051234567'],
        },
      });
      const alsoMine = await createInquiry(intake);
      const unassigned = await createInquiry(intake);
      await sql('UPDATE inquiry SET assigned_to = $1 WHERE id = ANY($2)', [
        owner.user.id,
        [mine.id, alsoMine.id],
      ]);
      ids.mineInquiry = mine.id;
      ids.mineReference = mine.reference;

      ids.threeHours = (await schedule(intake, mine.id)).id;
      ids.oneHour = (await schedule(intake, alsoMine.id, { windowMinutes: 30 })).id;
      ids.inWindow = (await schedule(intake, mine.id, { windowMinutes: 120 })).id;
      ids.done = (await schedule(intake, mine.id)).id;
      ids.future = (await schedule(intake, mine.id)).id;
      ids.unassigned = (await schedule(intake, unassigned.id, { windowMinutes: 0 })).id;
      await post(intake, `/api/callbacks/${ids.done}/complete`, { version: 1 });

      // Window ends: 3 h ago, 1 h ago, 30 min from now, 5 h ago (done), in 3 h, 2 h ago.
      await dueHoursAgo(ids.threeHours, 4);
      await dueHoursAgo(ids.oneHour, 1.5);
      await dueHoursAgo(ids.inWindow, 1.5);
      await dueHoursAgo(ids.done, 6);
      await dueHoursAgo(ids.unassigned, 2);
    });

    it('lists exactly the open callbacks past their window, most overdue first', async () => {
      const res = await overdue(owner, { assignee: 'me' });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ total: 2, page: 1, pageSize: 25 });
      expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([
        ids.threeHours,
        ids.oneHour,
      ]);
      const [first] = res.body.items;
      expect(first).toMatchObject({
        inquiryId: ids.mineInquiry,
        reference: ids.mineReference,
        inquirerName: 'Сидорова Анна Петровна',
        phone: '+79051234567',
        assignedTo: owner.user.id,
        windowMinutes: 60,
        version: 1,
      });
      expect(first.minutesOverdue).toBeGreaterThanOrEqual(179);
      expect(first.minutesOverdue).toBeLessThanOrEqual(181);
      expect(new Date(first.windowEndsAt).getTime()).toBe(
        new Date(first.dueAt).getTime() + 60 * 60_000,
      );
    });

    it('filters by assignee: someone by id, nobody, or everyone', async () => {
      const byId = await overdue(supervisor, { assignee: owner.user.id });
      const nobody = await overdue(supervisor, { assignee: 'none' });
      const everyone = await overdue(intake);
      const idsOf = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);

      expect(idsOf(byId)).toEqual([ids.threeHours, ids.oneHour]);
      expect(idsOf(nobody)).toContain(ids.unassigned);
      expect(idsOf(nobody)).not.toContain(ids.threeHours);
      expect(idsOf(everyone)).toEqual(
        expect.arrayContaining([ids.threeHours, ids.oneHour, ids.unassigned]),
      );
      for (const excluded of [ids.inWindow, ids.done, ids.future]) {
        expect(idsOf(everyone)).not.toContain(excluded);
      }
      const order = idsOf(everyone);
      expect(order.indexOf(ids.threeHours)).toBeLessThan(order.indexOf(ids.unassigned));
      expect(order.indexOf(ids.unassigned)).toBeLessThan(order.indexOf(ids.oneHour));
    });

    it('pages, with the total', async () => {
      const res = await overdue(owner, { assignee: 'me', page: 2, pageSize: 1 });

      expect(res.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
      expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([ids.oneHour]);
    });

    it('lists my callbacks due soon and overdue, soonest due first', async () => {
      const due = (who: SignedIn, query: Record<string, string | number>) =>
        who.agent.get('/api/callbacks/due').query(query);
      const day = await due(owner, { assignee: 'me' });
      const hour = await due(owner, { assignee: 'me', withinHours: 1 });
      const promisedByIntake = await due(intake, { assignee: 'me' });
      const bad = await due(owner, { withinHours: 1000 });

      expect(day.status).toBe(200);
      const idsOf = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);
      expect(idsOf(day)[0]).toBe(ids.threeHours);
      expect(idsOf(day).slice(1, 3).sort()).toEqual([ids.oneHour, ids.inWindow].sort());
      expect(idsOf(day)[3]).toBe(ids.future);
      expect(day.body.total).toBe(4);
      const byId = Object.fromEntries(
        day.body.items.map((i: { id: string; overdue: boolean }) => [i.id, i]),
      );
      expect(byId[ids.threeHours]).toMatchObject({ overdue: true });
      expect(byId[ids.inWindow]).toMatchObject({ overdue: false, minutesOverdue: 0 });
      expect(byId[ids.future]).toMatchObject({ overdue: false, minutesOverdue: 0 });
      expect(idsOf(hour)).not.toContain(ids.future);
      expect(idsOf(hour)).toContain(ids.threeHours);
      // Nobody owns that inquiry: the one who promised the call sees it.
      expect(idsOf(promisedByIntake)).toContain(ids.unassigned);
      expect(idsOf(promisedByIntake)).not.toContain(ids.threeHours);
      expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'withinHours']);
    });

    it('drops a callback from the list once it is completed', async () => {
      await post(owner, `/api/callbacks/${ids.oneHour}/complete`, { version: 1 });

      const res = await overdue(owner, { assignee: 'me' });

      expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([ids.threeHours]);
    });

    it('refuses a bad filter naming the field', async () => {
      const res = await overdue(owner, { assignee: 'someone', pageSize: 500 });

      expect(res.status).toBe(400);
      expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
        'assignee',
        'pageSize',
      ]);
    });
  });

  describe('roles', () => {
    it('lets an auditor read but not log, schedule, close or work the overdue list', async () => {
      const { id } = await createInquiry(intake);
      const callback = await schedule(intake, id);

      const answers = await Promise.all([
        logCall(auditor, id),
        post(auditor, `/api/inquiries/${id}/callbacks`, { dueAt: inHours(1) }),
        post(auditor, `/api/callbacks/${callback.id}/complete`, { version: 1 }),
        post(auditor, `/api/callbacks/${callback.id}/cancel`, { version: 1, reason: 'x' }),
        auditor.agent.get('/api/callbacks/overdue'),
      ]);
      const reads = await Promise.all([
        auditor.agent.get(`/api/inquiries/${id}/calls`),
        auditor.agent.get(`/api/inquiries/${id}/callbacks`),
      ]);

      expect(answers.map((a) => [a.status, a.body.code])).toEqual(
        Array(5).fill([403, 'forbidden']),
      );
      expect(reads.map((r) => r.status)).toEqual([200, 200]);
      expect(
        await count('SELECT count(*)::int AS n FROM callback WHERE inquiry_id = $1', [id]),
      ).toBe(1);
    });

    it('keeps admins out of case contacts', async () => {
      const admin = await signedInStaff(sut, { roles: ['admin'] });
      const { id } = await createInquiry(intake);

      const res = await admin.agent.get(`/api/inquiries/${id}/calls`);

      expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    });
  });
});
