import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createInquiry } from './support/inquiries.js';

describe('editing, assigning and merging inquiries', () => {
  let sut: TestApp;
  let intake: SignedIn;
  let caseworker: SignedIn;
  let other: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    intake = await signedInStaff(sut, { roles: ['intake'] });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    other = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  const patch = (who: SignedIn, id: string) =>
    who.agent.patch(`/api/inquiries/${id}`).set('X-CSRF-Token', who.csrf);
  const post = (who: SignedIn, path: string) => who.agent.post(path).set('X-CSRF-Token', who.csrf);
  const count = async (table: string) =>
    (
      (await sut.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ${table}`)) as {
        n: number;
      }[]
    )[0].n;

  it('updates only what was sent, with the version in the body or If-Match; a stale one says who changed it', async () => {
    const { id } = await createInquiry(intake);

    const first = await patch(caseworker, id).send({
      version: 1,
      priority: 'urgent',
      soughtPerson: { militaryUnit: 'в/ч 54321', birthDay: 15 },
    });
    const second = await patch(other, id)
      .set('If-Match', '"2"')
      .send({ inquirer: { city: 'Воронеж' } });
    const stale = await patch(intake, id).send({ version: 2, inquirer: { notes: 'overwrites?' } });
    const noVersion = await patch(intake, id).send({ priority: 'high' });

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ priority: 'urgent', version: 2 });
    expect(second.status).toBe(200);
    expect(second.body.version).toBe(3);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'stale_version',
      currentVersion: 3,
      lastChangedBy: other.user.id,
      lastChangedByName: other.user.displayName,
    });
    expect([noVersion.status, noVersion.body.errors?.[0]?.field]).toEqual([400, 'version']);
    const detail = await caseworker.agent.get(`/api/inquiries/${id}`);
    expect(detail.body.soughtPerson).toMatchObject({
      militaryUnit: 'в/ч 54321',
      birthDay: 15,
      surname: 'Петров',
    });
    expect(detail.body.inquirer).toMatchObject({ city: 'Воронеж', notes: null });
    const updates = detail.body.timeline.filter(
      (t: { action: string }) => t.action === 'inquiry.update',
    );
    expect(updates).toHaveLength(2);
    expect(updates[1].detail).toMatchObject({ priority: { from: 'normal', to: 'urgent' } });
  });

  it('refuses an impossible partial date or a bad phone in an update, writing nothing', async () => {
    const { id } = await createInquiry(intake);

    const res = await patch(caseworker, id).send({
      version: 1,
      soughtPerson: { birthMonth: 2, birthDay: 31 },
    });
    const phone = await patch(caseworker, id).send({
      version: 1,
      inquirer: { phones: ['call me'] },
    });

    expect([res.status, res.body.errors?.[0]?.field]).toEqual([400, 'soughtPerson.birthDay']);
    expect([phone.status, phone.body.errors?.[0]?.field]).toEqual([400, 'inquirer.phones']);
    expect((await caseworker.agent.get(`/api/inquiries/${id}`)).body.inquiry.version).toBe(1);
  });

  it('lets a supervisor assign and a caseworker take only an unassigned inquiry', async () => {
    const { id } = await createInquiry(intake);

    const taken = await post(caseworker, `/api/inquiries/${id}/assign`).send({
      assigneeId: caseworker.user.id,
      version: 1,
    });
    const stolen = await post(other, `/api/inquiries/${id}/assign`).send({
      assigneeId: other.user.id,
      version: 2,
    });
    const reassigned = await post(supervisor, `/api/inquiries/${id}/assign`).send({
      assigneeId: other.user.id,
      version: 2,
    });
    const toIntake = await post(supervisor, `/api/inquiries/${id}/assign`).send({
      assigneeId: intake.user.id,
      version: 3,
    });

    expect(taken.status).toBe(200);
    expect(taken.body.assignedTo).toBe(caseworker.user.id);
    expect([stolen.status, stolen.body.code]).toEqual([403, 'forbidden']);
    expect(reassigned.body.assignedTo).toBe(other.user.id);
    expect([toIntake.status, toIntake.body.errors?.[0]?.field]).toEqual([400, 'assigneeId']);
    const mine = await other.agent.get('/api/inquiries').query({ assignee: 'me' });
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(id);
    const notify = (await sut.app
      .get(DataSource)
      .query(
        `SELECT recipient_id FROM outbox_message WHERE inquiry_id = $1 AND event_type = 'staff.inquiry_assigned'`,
        [id],
      )) as {
      recipient_id: string;
    }[];
    expect(notify.map((n) => n.recipient_id)).toEqual([other.user.id]); // not to someone taking it themselves
  });

  it('lists inquiries with an overdue promised callback', async () => {
    const late = await createInquiry(intake);
    const onTime = await createInquiry(intake);
    for (const id of [late.id, onTime.id]) {
      const res = await post(caseworker, `/api/inquiries/${id}/callbacks`).send({
        dueAt: new Date(Date.now() + 3_600_000).toISOString(),
        windowMinutes: 30,
      });
      expect(res.status).toBe(201);
    }
    await sut.app
      .get(DataSource)
      .query(`UPDATE callback SET due_at = now() - interval '2 hours' WHERE inquiry_id = $1`, [
        late.id,
      ]);

    const res = await caseworker.agent
      .get('/api/inquiries')
      .query({ overdueCallback: 'true', pageSize: 200 });

    const ids = res.body.items.map((i: { id: string }) => i.id);
    expect(ids).toContain(late.id);
    expect(ids).not.toContain(onTime.id);
  });

  it('flags possible duplicates on create and merges one into the other', async () => {
    const first = await createInquiry(intake, {
      inquirer: { fullName: 'Коваль Мария', relationship: 'mother', phones: ['+380501234567'] },
      soughtPerson: { surname: 'Коваль', givenName: 'Андрій', birthYear: 1998 },
    });
    const created = await post(intake, '/api/inquiries').send({
      channel: 'email',
      inquirer: { fullName: 'Мария Коваль', relationship: 'mother', phones: ['+38 050 123 45 67'] },
      soughtPerson: { surname: 'КОВАЛЬ', givenName: 'андрій', birthYear: 1998 },
    });
    const unrelated = await createInquiry(intake, {
      inquirer: { fullName: 'Коваль Мария', relationship: 'mother', phones: ['+380501234567'] },
      soughtPerson: { surname: 'Коваль', givenName: 'Андрій', birthYear: 1990 },
    });

    expect(created.status).toBe(201);
    const second = created.body.inquiry as { id: string; version: number };
    expect(created.body.possibleDuplicates).toEqual([
      expect.objectContaining({
        id: first.id,
        reference: first.reference,
        samePhone: true,
        sameEmail: false,
      }),
    ]);
    // Before saving, the intake form asks with the body it is about to send; nothing is written.
    // The son's name in Latin letters (the Ukrainian passport spelling) is the same son.
    const before = await count('inquiry');
    const proposed = await post(intake, '/api/inquiries/duplicate-check').send({
      channel: 'phone',
      inquirer: { fullName: 'M. Koval', relationship: 'mother', phones: ['+380 50 123 45 67'] },
      soughtPerson: { surname: 'Koval', givenName: 'Andrii', birthYear: 1998 },
    });
    const invalid = await post(intake, '/api/inquiries/duplicate-check').send({
      channel: 'phone',
      inquirer: { fullName: 'М. Коваль', relationship: 'mother', phones: ['12'] },
      soughtPerson: { surname: 'Коваль' },
    });
    expect(proposed.status).toBe(200);
    expect(proposed.body.map((d: { id: string }) => d.id)).toEqual([first.id, second.id]);
    expect(proposed.body[0]).toMatchObject({ samePhone: true, inquirerName: 'Коваль Мария' });
    expect(await count('inquiry')).toBe(before);
    expect([invalid.status, invalid.body.errors?.[0]?.field]).toEqual([400, 'inquirer.phones']);

    const onDemand = await caseworker.agent.get(`/api/inquiries/${first.id}/duplicates`);
    expect(onDemand.body.map((d: { id: string }) => d.id)).toEqual([second.id]);
    expect(onDemand.body.map((d: { id: string }) => d.id)).not.toContain(unrelated.id);

    const call = await post(intake, `/api/inquiries/${second.id}/calls`).send({
      direction: 'inbound',
      durationSeconds: 120,
      outcome: 'answered',
      notes: 'mother called again',
    });
    expect(call.status).toBe(201);

    const byCaseworker = await post(caseworker, `/api/inquiries/${second.id}/merge`).send({
      survivorId: first.id,
      version: second.version,
      reason: 'same family, same son',
    });
    const merged = await post(supervisor, `/api/inquiries/${second.id}/merge`).send({
      survivorId: first.id,
      version: second.version,
      reason: 'same family, same son',
    });

    expect(byCaseworker.status).toBe(403);
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ status: 'closed_duplicate', duplicateOf: first.id });
    const audit = (await sut.app
      .get(DataSource)
      .query(`SELECT inquiry_id FROM audit_event WHERE action = 'inquiry.merge'`)) as {
      inquiry_id: string;
    }[];
    expect(audit.map((a) => a.inquiry_id).sort()).toEqual([first.id, second.id].sort());
    const survivorCalls = await caseworker.agent.get(`/api/inquiries/${first.id}/calls`);
    expect(survivorCalls.body.map((c: { id: string }) => c.id)).toContain(call.body.id);
    const again = await caseworker.agent.get(`/api/inquiries/${first.id}/duplicates`);
    expect(again.body).toEqual([]);
  });
});
