import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { renderStateMachineDoc } from '../src/inquiries/state-machine/state-machine-diagram.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createInquiry, inquiryBody } from './support/inquiries.js';

const count = async (sut: TestApp, sql: string, params: unknown[] = []) =>
  ((await sut.app.get(DataSource).query(sql, params)) as { n: number }[])[0].n;

describe('inquiries', () => {
  let sut: TestApp;
  let intake: SignedIn;
  let caseworker: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    intake = await signedInStaff(sut, { roles: ['intake'] });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('creates an inquiry in received, with history, audit event and acknowledgement, in one go', async () => {
    const res = await intake.agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', intake.csrf)
      .send(inquiryBody());

    expect(res.status).toBe(201);
    const { inquiry, inquirer, soughtPerson, history } = res.body;
    expect(inquiry.reference).toMatch(new RegExp(`^HC-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(inquiry).toMatchObject({
      status: 'received',
      channel: 'phone',
      priority: 'normal',
      version: 1,
    });
    expect(inquirer).toMatchObject({ phones: ['+79161234567'], emails: ['olga.petrova@mail.ru'] });
    expect(soughtPerson).toMatchObject({
      surname: 'Петров',
      birthYear: 2001,
      birthMonth: 3,
      birthDay: 14,
    });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'received', actor: intake.user.id, leftAt: null });
    expect(
      await count(
        sut,
        `SELECT count(*)::int AS n FROM audit_event WHERE inquiry_id = $1 AND action = 'inquiry.create'`,
        [inquiry.id],
      ),
    ).toBe(1);
    expect(
      await count(
        sut,
        `SELECT count(*)::int AS n FROM outbox_message WHERE inquiry_id = $1 AND event_type = 'family.acknowledgement'`,
        [inquiry.id],
      ),
    ).toBe(1);
  });

  it('gives every inquiry its own reference from the sequence', async () => {
    const refs = await Promise.all([1, 2, 3, 4, 5].map(() => createInquiry(intake)));
    expect(new Set(refs.map((r) => r.reference)).size).toBe(5);
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const before = await count(sut, 'SELECT count(*)::int AS n FROM inquiry');
    const res = await intake.agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', intake.csrf)
      .send({
        channel: 'pigeon',
        inquirer: {
          fullName: 'Ольга',
          relationship: 'mother',
          phones: ['12'],
          emails: ['not-mail'],
          extra: true,
        },
        soughtPerson: { surname: 42, birthYear: 2001, birthMonth: 13 },
      });

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(new Set((res.body.errors as { field: string }[]).map((e) => e.field))).toEqual(
      new Set([
        'channel',
        'inquirer.extra',
        'inquirer.phones',
        'inquirer.emails',
        'soughtPerson.surname',
        'soughtPerson.birthMonth',
      ]),
    );
    const future = await intake.agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', intake.csrf)
      .send(
        inquiryBody({
          soughtPerson: {
            surname: 'Петров',
            birthYear: new Date().getUTCFullYear(),
            birthMonth: 12,
            birthDay: 31,
          },
        }),
      );
    const impossible = await intake.agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', intake.csrf)
      .send(
        inquiryBody({
          soughtPerson: { surname: 'Петров', birthYear: 2001, birthMonth: 2, birthDay: 30 },
        }),
      );
    expect([future.status, future.body.errors?.[0]?.field]).toEqual([400, 'soughtPerson.birthDay']);
    expect([impossible.status, impossible.body.errors?.[0]?.rule]).toEqual([400, 'realDate']);
    expect(await count(sut, 'SELECT count(*)::int AS n FROM inquiry')).toBe(before);
  });

  it('refuses a transition to an unknown status or with a wrong version type, naming the field', async () => {
    const { id } = await createInquiry(intake);

    const res = await caseworker.agent
      .post(`/api/inquiries/${id}/transitions`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({ to: 'lost_at_sea', version: 'one', extra: 1 });

    expect(res.status).toBe(400);
    expect(new Set((res.body.errors as { field: string }[]).map((e) => e.field))).toEqual(
      new Set(['to', 'version', 'extra']),
    );
    expect(
      await count(
        sut,
        'SELECT count(*)::int AS n FROM inquiry_status_history WHERE inquiry_id = $1',
        [id],
      ),
    ).toBe(1);
  });

  it('creates once under 10 parallel retries with one Idempotency-Key; another body with it → 422', async () => {
    const key = `retry-${Date.now()}`;
    const body = inquiryBody({
      soughtPerson: { surname: 'Идемпотентов', givenName: 'Иван', birthYear: 1999 },
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        intake.agent
          .post('/api/inquiries')
          .set('X-CSRF-Token', intake.csrf)
          .set('Idempotency-Key', key)
          .send(body),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.inquiry.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(
      await count(
        sut,
        `SELECT count(*)::int AS n FROM sought_person WHERE surname = 'Идемпотентов'`,
      ),
    ).toBe(1);

    const other = await intake.agent
      .post('/api/inquiries')
      .set('X-CSRF-Token', intake.csrf)
      .set('Idempotency-Key', key)
      .send(inquiryBody());
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('shows the detail with its history, and audits the read', async () => {
    const { id } = await createInquiry(intake);

    const res = await caseworker.agent.get(`/api/inquiries/${id}`);

    expect(res.status).toBe(200);
    expect(res.body.inquirer.fullName).toBe('Петрова Ольга Ивановна');
    const reads = await count(
      sut,
      `SELECT count(*)::int AS n FROM audit_event WHERE inquiry_id = $1 AND action = 'inquiry.read' AND actor = $2`,
      [id, caseworker.user.id],
    );
    expect(reads).toBe(1);
    expect(
      (await caseworker.agent.get('/api/inquiries/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
  });

  it('lists with status filters, name search in any script (ё = е), paging and total', async () => {
    const { id } = await createInquiry(intake, {
      soughtPerson: { surname: 'Семёнов', givenName: 'Пётр', birthYear: 1995 },
      inquirer: { fullName: 'Semyonova Anna', relationship: 'mother', preferredLanguage: 'en' },
    });

    const byCyrillic = await caseworker.agent.get('/api/inquiries').query({ q: 'СЕМЕНОВ' });
    const byLatin = await caseworker.agent.get('/api/inquiries').query({ q: 'semyonova' });
    const byStatus = await caseworker.agent
      .get('/api/inquiries')
      .query({ status: 'received,verifying', pageSize: 2 });
    const bad = await caseworker.agent
      .get('/api/inquiries')
      .query({ status: 'lost', sort: 'weird' });

    expect(byCyrillic.body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect(byLatin.body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect(byStatus.body.items).toHaveLength(2);
    expect(byStatus.body.total).toBeGreaterThanOrEqual(8);
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'sort',
      'status',
    ]);
  });

  it('lists the transitions the caller can fire, with the reasons others are blocked', async () => {
    const { id } = await createInquiry(intake);
    await caseworker.agent
      .post(`/api/inquiries/${id}/transitions`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({ to: 'gathering_information', version: 1 });
    await caseworker.agent
      .post(`/api/inquiries/${id}/transitions`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({ to: 'verifying', version: 2 });

    const res = await caseworker.agent.get(`/api/inquiries/${id}/transitions`);

    expect(res.status).toBe(200);
    const byTarget = Object.fromEntries(
      (res.body as { to: string; allowed: boolean; blockedBy: string[] }[]).map((o) => [o.to, o]),
    );
    expect(byTarget.gathering_information).toMatchObject({ allowed: true, reasonRequired: true });
    expect(byTarget.detention_confirmed.allowed).toBe(false);
    expect(byTarget.detention_confirmed.blockedBy.join(' ')).toContain(
      'countersigned by a second staff member',
    );
    expect(byTarget.closed_duplicate).toMatchObject({
      allowed: false,
      blockedBy: ['Needs one of the roles: supervisor.'],
    });
  });

  it('puts on hold and returns to where it was; reopening is for supervisors, with a reason', async () => {
    const { id } = await createInquiry(intake);
    const fire = (who: SignedIn, to: string, version: number, reason?: string) =>
      who.agent
        .post(`/api/inquiries/${id}/transitions`)
        .set('X-CSRF-Token', who.csrf)
        .send({ to, version, reason });

    expect((await fire(caseworker, 'gathering_information', 1)).status).toBe(200);
    const noReason = await fire(caseworker, 'on_hold', 2);
    expect([noReason.status, noReason.body.errors?.[0]?.field]).toEqual([400, 'reason']);
    expect((await fire(caseworker, 'on_hold', 2, 'mother in hospital')).body.previousStatus).toBe(
      'gathering_information',
    );
    const resumed = await fire(caseworker, 'gathering_information', 3);
    expect(resumed.body).toMatchObject({ status: 'gathering_information', previousStatus: null });
    expect((await fire(caseworker, 'closed_withdrawn', 4, 'family withdrew')).status).toBe(200);
    const byCaseworker = await fire(caseworker, 'gathering_information', 5, 'new information');
    expect([byCaseworker.status, byCaseworker.body.code]).toEqual([403, 'forbidden']);
    const reopened = await fire(supervisor, 'gathering_information', 5, 'new information');
    expect(reopened.status).toBe(200);

    const history = (await sut.app
      .get(DataSource)
      .query(
        'SELECT status, left_at FROM inquiry_status_history WHERE inquiry_id = $1 ORDER BY entered_at',
        [id],
      )) as {
      status: string;
      left_at: Date | null;
    }[];
    expect(history.map((h) => h.status)).toEqual([
      'received',
      'gathering_information',
      'on_hold',
      'gathering_information',
      'closed_withdrawn',
      'gathering_information',
    ]);
    expect(history.filter((h) => h.left_at === null)).toHaveLength(1);
  });

  it('lets exactly one of 20 simultaneous transitions with the same version through', async () => {
    const { id } = await createInquiry(intake);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        caseworker.agent
          .post(`/api/inquiries/${id}/transitions`)
          .set('X-CSRF-Token', caseworker.csrf)
          .send({ to: 'gathering_information', version: 1 }),
      ),
    );

    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(
      refused.every(
        (a) => a.status === 409 && a.body.code === 'stale_version' && a.body.currentVersion === 2,
      ),
    ).toBe(true);
    expect(
      await count(
        sut,
        'SELECT count(*)::int AS n FROM inquiry_status_history WHERE inquiry_id = $1',
        [id],
      ),
    ).toBe(2);
    expect(
      await count(
        sut,
        `SELECT count(*)::int AS n FROM audit_event WHERE inquiry_id = $1 AND action = 'inquiry.transition'`,
        [id],
      ),
    ).toBe(1);
  });

  it('writes outbox rows with the transition, and none when it is refused', async () => {
    const { id } = await createInquiry(intake);
    const fire = (to: string, version: number, reason?: string) =>
      caseworker.agent
        .post(`/api/inquiries/${id}/transitions`)
        .set('X-CSRF-Token', caseworker.csrf)
        .send({ to, version, reason });
    await fire('gathering_information', 1);
    await fire('verifying', 2);

    const blocked = await fire('detention_confirmed', 3);
    const requested = await fire('gathering_information', 3, 'need a photo of the passport');

    expect([blocked.status, blocked.body.code]).toEqual([422, 'guard_blocked']);
    expect(blocked.body.blockedBy).toHaveLength(2);
    expect(requested.status).toBe(200);
    const events = (await sut.app
      .get(DataSource)
      .query('SELECT event_type FROM outbox_message WHERE inquiry_id = $1 ORDER BY created_at', [
        id,
      ])) as { event_type: string }[];
    expect(events.map((e) => e.event_type)).toEqual([
      'family.acknowledgement',
      'family.information_requested',
    ]);
  });

  it('keeps docs/state-machine.md in step with the transition table', () => {
    expect(readFileSync('docs/state-machine.md', 'utf8')).toBe(renderStateMachineDoc());
  });
});
