import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { CaseRecordsRegistry } from '../src/common/case-records/case-records.registry.js';
import { intakeSignature } from '../src/intake/intake.controller.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { caseWithIdentitySettled, importThePrisoner } from './support/identity.js';
import { inquiryBody } from './support/inquiries.js';
import { SmtpSink } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// People, not tickets (issue 20): one record per person, one search per sought man. Each test
// makes its own families (their own phones and addresses), so tests do not meet.
const SECRET = 'test-intake-secret-0123456789abcdef0123';
const OURS = 'cases@homecoming.test';

describe('persons and searches', () => {
  const sink = new SmtpSink();
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, url: string, body: object = {}) =>
    who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);
  const unique = () => randomBytes(4).toString('hex');
  const phone = () => `+38067${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

  type Created = {
    inquiry: { id: string; reference: string; version: number; searchId: string };
    inquirer: { id: string; relationship: string; phones: string[]; emails: string[] };
    person: {
      match: { personId: string; by: string } | null;
      suggestions: { id: string; samePhone: boolean; sameEmail: boolean; sameName: boolean }[];
    };
    possibleDuplicates: {
      id: string;
      samePerson: boolean;
      samePhone: boolean;
      relationship: string;
    }[];
  };
  const open = async (
    inquirer: Record<string, unknown>,
    soughtPerson: Record<string, unknown> = {},
  ): Promise<Created> => {
    const base = inquiryBody();
    const res = await post(caseworker, '/api/inquiries', {
      ...base,
      inquirer: { ...base.inquirer, ...inquirer },
      soughtPerson: { ...base.soughtPerson, ...soughtPerson },
    });
    expect(res.status).toBe(201);
    return res.body as Created;
  };
  const webhook = (body: Buffer) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return request(sut.app.getHttpServer() as App)
      .post('/api/intake/email')
      .set('Content-Type', 'message/rfc822')
      .set('X-Homecoming-Timestamp', timestamp)
      .set('X-Homecoming-Signature', intakeSignature(SECRET, timestamp, body))
      .send(body);
  };
  const letter = (from: string, subject: string, text: string) =>
    Buffer.from(
      [
        `From: ${from}`,
        `To: ${OURS}`,
        `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
        `Message-ID: <${unique()}@mail.test>`,
        'Date: Sun, 06 Dec 2026 10:00:00 +0200',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        text,
        '',
      ].join('\r\n'),
    );
  const detail = async (id: string) => {
    const res = await caseworker.agent.get(`/api/inquiries/${id}`);
    expect(res.status).toBe(200);
    return res.body as {
      inquiry: { version: number; searchId: string; inquirerId: string };
      inquirer: { relationship: string };
      search: { id: string; inquiries: { id: string; relationship: string }[] };
      possibleDuplicates: { id: string }[];
      timeline: { action: string; detail: Record<string, unknown> }[];
    };
  };

  beforeAll(async () => {
    const port = await sink.start();
    sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        INTAKE_WEBHOOK_SECRET: SECRET,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
        MAIL_FROM: `homecoming <${OURS}>`,
      },
    });
    caseworker = await signedInStaff(sut, { roles: ['intake', 'caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
  });

  afterAll(async () => {
    await sut?.close();
    await sink.stop();
  });

  it('knows a mother who asks again by her phone and name: one person, the match on the case', async () => {
    const mine = phone();
    const first = await open({ fullName: 'Коваль Олена Петрівна', phones: [mine], emails: [] });
    expect(first.person).toEqual({ match: null, suggestions: [] });
    // Her second son, by phone again, her name in Latin letters and a new address.
    const email = `olena.${unique()}@mail.test`;
    const second = await open(
      { fullName: 'Koval Olena Petrivna', phones: [mine], emails: [email] },
      { surname: 'Коваль', givenName: 'Андрій', birthYear: 1999, birthMonth: 7, birthDay: 2 },
    );
    expect(second.inquirer.id).toBe(first.inquirer.id);
    expect(second.person.match).toEqual({
      personId: first.inquirer.id,
      by: 'phone',
      verified: false,
    });
    // Her record gained the new address; each inquiry keeps its own relationship.
    expect(second.inquirer.phones).toEqual([mine]);
    expect(second.inquirer.emails).toEqual([email]);
    // On the case's timeline, by what she was known.
    const matched = (await detail(second.inquiry.id)).timeline.find(
      (t) => t.action === 'person.matched',
    );
    expect(matched?.detail).toEqual({ by: { to: 'phone' }, verified: { to: false } });
    // Her page lists both cases, each on its own search.
    const page = await caseworker.agent.get(`/api/inquirers/${first.inquirer.id}`);
    expect(page.status).toBe(200);
    expect(
      (page.body.inquiries as { id: string; relationship: string }[]).map((i) => [
        i.id,
        i.relationship,
      ]),
    ).toEqual([
      [first.inquiry.id, 'mother'],
      [second.inquiry.id, 'mother'],
    ]);
    expect(first.inquiry.searchId).not.toBe(second.inquiry.searchId);
    const [read] = await sql<{ stream: string }>(
      `SELECT stream FROM audit_event WHERE action = 'person.read' AND entity_id = $1`,
      [first.inquirer.id],
    );
    expect(read.stream).toBe(`actor:${caseworker.user.id}`);
  });

  it('never joins two people by a shared phone or by a name alone: a shared phone is a suggestion', async () => {
    const home = phone();
    const mother = await open({ fullName: 'Бондар Ганна Іванівна', phones: [home], emails: [] });
    const father = await open(
      { fullName: 'Бондар Петро Миколайович', relationship: 'father', phones: [home], emails: [] },
      { surname: 'Бондар' },
    );
    expect(father.inquirer.id).not.toBe(mother.inquirer.id);
    expect(father.person.match).toBeNull();
    expect(father.person.suggestions).toEqual([
      {
        id: mother.inquirer.id,
        fullName: 'Бондар Ганна Іванівна',
        samePhone: true,
        sameEmail: false,
        sameName: false,
        verified: false,
      },
    ]);
    // The same name with nothing shared is someone else.
    const namesake = await open({
      fullName: 'Бондар Ганна Іванівна',
      phones: [phone()],
      emails: [],
    });
    expect(namesake.inquirer.id).not.toBe(mother.inquirer.id);
    expect(namesake.person).toEqual({ match: null, suggestions: [] });
  });

  it('finds a father asking about the same son with his own phone, in another script, and puts both on one search', async () => {
    const mother = await open(
      { fullName: 'Шевчук Марія', phones: [phone()], emails: [] },
      { surname: 'Шевчук', givenName: 'Тарас', birthYear: 1998, birthMonth: 5, birthDay: 11 },
    );
    const father = await open(
      { fullName: 'Shevchuk Ivan', relationship: 'father', phones: [phone()], emails: [] },
      {
        surname: 'Shevchuk',
        givenName: 'Taras',
        birthYear: 1998,
        birthMonth: 5,
        birthDay: undefined,
      },
    );
    expect(father.possibleDuplicates.map((d) => [d.id, d.samePerson, d.relationship])).toEqual([
      [mother.inquiry.id, false, 'mother'],
    ]);
    // Another Taras Shevchuk born in another month is not him.
    const other = await open(
      { fullName: 'Шевчук Оксана', relationship: 'wife', phones: [phone()], emails: [] },
      { surname: 'Шевчук', givenName: 'Тарас', birthYear: 1998, birthMonth: 6 },
    );
    expect(other.possibleDuplicates).toEqual([]);

    // A caseworker links the father's inquiry to the mother's search.
    const linked = await post(caseworker, `/api/inquiries/${father.inquiry.id}/search`, {
      withInquiryId: mother.inquiry.id,
      version: father.inquiry.version,
      reason: 'Same son: the father confirmed his unit by phone',
    });
    expect(linked.status).toBe(200);
    const fatherCase = await detail(father.inquiry.id);
    expect(fatherCase.inquiry.searchId).toBe(mother.inquiry.searchId);
    expect(fatherCase.search.inquiries.map((i) => [i.id, i.relationship])).toEqual([
      [mother.inquiry.id, 'mother'],
    ]);
    // Now on one search, they are no longer each other's possible duplicates.
    expect(fatherCase.possibleDuplicates).toEqual([]);
    expect(fatherCase.inquirer.relationship).toBe('father');
    // The father's old search is gone; taken off again, he gets a new one.
    expect(
      await sql(`SELECT id FROM search WHERE id = $1`, [father.inquiry.searchId]),
    ).toHaveLength(0);
    const unlinked = await post(caseworker, `/api/inquiries/${father.inquiry.id}/search/unlink`, {
      version: fatherCase.inquiry.version,
      reason: 'Linked by mistake',
    });
    expect(unlinked.status).toBe(200);
    expect((await detail(father.inquiry.id)).inquiry.searchId).not.toBe(mother.inquiry.searchId);
    const actions = await sql<{ action: string }>(
      `SELECT action FROM audit_event WHERE inquiry_id = $1 AND action LIKE 'search.%' ORDER BY seq`,
      [father.inquiry.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['search.linked', 'search.unlinked']);
  });

  it('puts a letter from a mother with two open cases on the latest for review: which son is a person’s call', async () => {
    const email = `hanna.${unique()}@mail.test`;
    await open({ fullName: 'Мельник Ганна', phones: [], emails: [email] });
    const one = await webhook(letter(email, 'Про сина', 'Чи є новини про мого сина Богдана?'));
    expect(one.body).toMatchObject({ outcome: 'attached' });
    expect(
      (await sql(`SELECT needs_review FROM inbound_email WHERE id = $1`, [one.body.id]))[0],
    ).toEqual({ needs_review: false });
    const second = await open(
      { fullName: 'Мельник Ганна', phones: [], emails: [email] },
      { surname: 'Мельник', givenName: 'Богдан', birthYear: 2000 },
    );
    const two = await webhook(letter(email, 'Третій син', 'Я шукаю ще й третього сина, Олега.'));
    expect(two.body).toMatchObject({ outcome: 'attached' });
    const [row] = await sql<{ inquiry_id: string; needs_review: boolean }>(
      `SELECT inquiry_id, needs_review FROM inbound_email WHERE id = $1`,
      [two.body.id],
    );
    expect(row).toEqual({ inquiry_id: second.inquiry.id, needs_review: true });
  });

  it('opens a case from a known address on the person’s record, never a second record', async () => {
    const email = `iryna.${unique()}@mail.test`;
    const first = await open({ fullName: 'Ткаченко Ірина', phones: [], emails: [email] });
    const closed = await post(caseworker, `/api/inquiries/${first.inquiry.id}/transitions`, {
      to: 'closed_withdrawn',
      version: first.inquiry.version,
      reason: 'Found him',
    });
    expect(closed.status).toBe(200);
    // A letter with no name in its From, after her case ended: a new case, her record.
    const res = await webhook(letter(email, 'Знову я', 'Мій молодший син зник.'));
    expect(res.body).toMatchObject({ outcome: 'opened' });
    const [opened] = await sql<{ inquirer_id: string; relationship: string }>(
      `SELECT i.inquirer_id, i.relationship FROM inquiry i JOIN inbound_email e ON e.inquiry_id = i.id
       WHERE e.id = $1`,
      [res.body.id],
    );
    expect(opened).toEqual({ inquirer_id: first.inquirer.id, relationship: 'other' });
  });

  it('merges one person’s two inquiries about one man, moving everything that belongs to them', async () => {
    const prisonerId = await importThePrisoner(supervisor, `PN-${unique()}`);
    // The survivor: identity settled (verification, match, consents); the duplicate: the same
    // mother (the default family of support/inquiries) asking again.
    const survivorId = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'detention_confirmed',
    );
    const duplicate = await open({});
    expect(duplicate.person.match?.by).toBe('phone');
    // A proposed match on the duplicate too: the survivor's confirmed one stays, this is rejected.
    expect(
      (await post(caseworker, `/api/inquiries/${duplicate.inquiry.id}/matches`, { prisonerId }))
        .status,
    ).toBe(201);
    // The duplicate has a call, a callback, a status link, a proposed match and a letter.
    expect(
      (
        await post(caseworker, `/api/inquiries/${duplicate.inquiry.id}/calls`, {
          direction: 'inbound',
          occurredAt: new Date().toISOString(),
          durationSeconds: 60,
          outcome: 'answered',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await post(caseworker, `/api/inquiries/${duplicate.inquiry.id}/callbacks`, {
          dueAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
      ).status,
    ).toBe(201);
    expect(
      (await post(caseworker, `/api/inquiries/${duplicate.inquiry.id}/status-links`)).status,
    ).toBe(201);
    const ack = await sql<{ id: string }>(`SELECT id FROM outbox_message WHERE inquiry_id = $1`, [
      duplicate.inquiry.id,
    ]);
    expect(ack.length).toBeGreaterThan(0);
    const counts = (id: string) =>
      sql<Record<string, number>>(
        `SELECT (SELECT count(*)::int FROM call WHERE inquiry_id = $1) AS calls,
           (SELECT count(*)::int FROM callback WHERE inquiry_id = $1) AS callbacks,
           (SELECT count(*)::int FROM status_link WHERE inquiry_id = $1) AS links,
           (SELECT count(*)::int FROM outbox_message WHERE inquiry_id = $1) AS letters,
           (SELECT count(*)::int FROM inquirer_verification WHERE inquiry_id = $1) AS verifications,
           (SELECT count(*)::int FROM prisoner_consent WHERE inquiry_id = $1) AS consents,
           (SELECT count(*)::int FROM inquiry_match WHERE inquiry_id = $1) AS matches`,
        [id],
      ).then((r) => r[0]);
    const before = await counts(survivorId);
    const fromDuplicate = await counts(duplicate.inquiry.id);
    const survivorCase = await detail(survivorId);
    const { version } = (await detail(duplicate.inquiry.id)).inquiry;
    const merged = await post(supervisor, `/api/inquiries/${duplicate.inquiry.id}/merge`, {
      survivorId,
      version,
      reason: 'She called twice about the same son',
    });
    expect(merged.status).toBe(200);
    expect(await counts(duplicate.inquiry.id)).toEqual({
      calls: 0,
      callbacks: 0,
      links: 0,
      letters: 0,
      verifications: 0,
      consents: 0,
      matches: 0,
    });
    const after = await counts(survivorId);
    for (const key of Object.keys(before)) {
      expect([key, after[key]]).toEqual([key, before[key] + fromDuplicate[key]]);
    }
    // One search; the merge on both trails with what moved.
    expect((await detail(duplicate.inquiry.id)).inquiry.searchId).toBe(
      survivorCase.inquiry.searchId,
    );
    const event = (await detail(survivorId)).timeline.find((t) => t.action === 'inquiry.merge');
    expect((event?.detail.moved as { to: Record<string, number> }).to).toMatchObject({
      call: 1,
      callback: 1,
      status_link: 1,
      outbox_message: fromDuplicate.letters,
    });
    expect(await sut.app.get(AuditService).verify()).toMatchObject({ intact: true });
    const [rejected] = await sql<{ state: string; reason: string }>(
      `SELECT state, reason FROM inquiry_match WHERE inquiry_id = $1 AND state = 'rejected'`,
      [survivorId],
    );
    expect(rejected.reason).toMatch(/^merged into another inquiry: She called twice/);
  });

  it('moves on a merge every table that hangs on an inquiry, or says why it stays', async () => {
    // Each module registers its own tables (CaseRecordsRegistry); a new table with an
    // inquiry_id fails here until its module moves it on a merge or it is said to stay.
    const STAYS: Record<string, string> = {
      inquiry_status_history: 'the duplicate’s own stages, ending in closed_duplicate',
      sought_person: 'each inquiry keeps the man as its family described him',
      audit_event: 'each case keeps its trail; the merge is written on both',
      audit_case_key: 'the key that seals the duplicate’s own trail',
      travel_plan: 'a merge is refused once a journey is planned',
      travel_event: 'a merge is refused once a journey is planned',
      handover_appointment: 'a merge is refused once a journey is planned',
      report_inquiry_fact: 'the reports’ own summary, refreshed by their triggers',
      report_fact_contribution: 'the reports’ own summary, refreshed by their triggers',
      report_fact_source: 'the reports’ view of the tables',
    };
    const columns = await sql<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name = 'inquiry_id' ORDER BY table_name`,
    );
    const tables = columns.map((c) => c.table_name);
    const moved = sut.app.get(CaseRecordsRegistry).tables;
    expect({
      unaccounted: tables.filter((t) => !moved.includes(t) && !(t in STAYS)),
      movedAndStaying: moved.filter((t) => t in STAYS),
      staleStays: Object.keys(STAYS).filter((t) => !tables.includes(t)),
    }).toEqual({ unaccounted: [], movedAndStaying: [], staleStays: [] });
    expect(moved).toEqual([
      'call',
      'callback',
      'contact_change',
      'family_message',
      'inbound_email',
      'inquirer_verification',
      'inquiry_match',
      'outbox_message',
      'prisoner_consent',
      'status_link',
      'trusted_contact',
    ]);
  });

  it('refuses to fold a case with a journey into another (the travel module says no), changing nothing', async () => {
    const prisonerId = await importThePrisoner(supervisor, `PN-${unique()}`);
    const family = { fullName: 'Лук’яненко Тамара', phones: [phone()], emails: [] };
    const travelling = await caseWithIdentitySettled(
      caseworker,
      supervisor,
      prisonerId,
      'travel_planning',
      family,
    );
    const plan = await caseworker.agent
      .put(`/api/inquiries/${travelling}/travel-plan`)
      .set('X-CSRF-Token', caseworker.csrf)
      .send({
        version: 0,
        originCity: 'Тамбов',
        originCountry: 'RU',
        plannedEntryIntoPoland: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
        crossingPointId: 'medyka-shehyni',
        plannedCrossingAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        travellers: [
          {
            isInquirer: true,
            fullName: family.fullName,
            documentKind: 'passport',
            documentNumber: '75 1234567',
          },
        ],
      });
    expect(plan.status).toBe(200);
    const again = await open(family);
    expect(again.inquirer.id).toBe((await detail(travelling)).inquiry.inquirerId);
    const before = await detail(travelling);
    const res = await post(supervisor, `/api/inquiries/${travelling}/merge`, {
      survivorId: again.inquiry.id,
      version: before.inquiry.version,
      reason: 'She called again',
    });
    expect([res.status, res.body.title, res.body.detail]).toEqual([
      409,
      'The duplicate has a journey',
      'An inquiry with a travel plan cannot be merged.',
    ]);
    expect((await detail(travelling)).inquiry.version).toBe(before.inquiry.version);
  });

  it('merges only one person’s inquiries: another relative’s joins the search instead', async () => {
    const mother = await open({ fullName: 'Лисенко Віра', phones: [phone()], emails: [] });
    const wife = await open({
      fullName: 'Лисенко Дарина',
      relationship: 'wife',
      phones: [phone()],
      emails: [],
    });
    const res = await post(supervisor, `/api/inquiries/${wife.inquiry.id}/merge`, {
      survivorId: mother.inquiry.id,
      version: wife.inquiry.version,
      reason: 'Same man',
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/linked to the same search/);
    expect((await detail(wife.inquiry.id)).inquiry.version).toBe(wife.inquiry.version);
  });

  it('lets a supervisor merge two records of one person, undo it, merge again and confirm', async () => {
    const a = await open({ fullName: 'Романенко Людмила', phones: [phone()], emails: [] });
    const bEmail = `luda.${unique()}@mail.test`;
    const b = await open({ fullName: 'Romanenko Liudmyla', phones: [], emails: [bEmail] });
    expect(b.inquirer.id).not.toBe(a.inquirer.id);
    const refused = await post(caseworker, `/api/inquirers/${a.inquirer.id}/merges`, {
      absorbedId: b.inquirer.id,
      reason: 'x',
    });
    expect(refused.status).toBe(403);
    const merge = async () => {
      const res = await post(supervisor, `/api/inquirers/${a.inquirer.id}/merges`, {
        absorbedId: b.inquirer.id,
        reason: 'Same woman: she wrote from her daughter-in-law’s address',
      });
      expect(res.status).toBe(201);
      return res.body as { id: string };
    };
    const page = async (id: string) =>
      (await caseworker.agent.get(`/api/inquirers/${id}`)).body as {
        person: { phones: string[]; emails: string[]; otherNames: string[] };
        mergedInto: { id: string; fullName: string } | null;
        inquiries: { id: string }[];
        merges: { id: string; undoneAt: string | null; confirmedAt: string | null }[];
      };
    const first = await merge();
    let survivor = await page(a.inquirer.id);
    expect(survivor.inquiries.map((i) => i.id)).toEqual([a.inquiry.id, b.inquiry.id]);
    expect(survivor.person.emails).toEqual([bEmail]);
    expect(survivor.person.otherNames).toEqual(['Romanenko Liudmyla']);
    expect((await page(b.inquirer.id)).mergedInto).toEqual({
      id: a.inquirer.id,
      fullName: 'Романенко Людмила',
    });
    // Undone: her second case goes back, the address and the name with it.
    expect(
      (
        await post(supervisor, `/api/person-merges/${first.id}/undo`, {
          reason: 'Not the same woman after all',
        })
      ).status,
    ).toBe(200);
    survivor = await page(a.inquirer.id);
    expect(survivor.inquiries.map((i) => i.id)).toEqual([a.inquiry.id]);
    expect([survivor.person.emails, survivor.person.otherNames]).toEqual([[], []]);
    expect((await page(b.inquirer.id)).inquiries.map((i) => i.id)).toEqual([b.inquiry.id]);
    // Again, then confirmed: no longer undone.
    const second = await merge();
    expect((await post(supervisor, `/api/person-merges/${second.id}/confirm`)).status).toBe(200);
    expect(
      (await post(supervisor, `/api/person-merges/${second.id}/undo`, { reason: 'Too late' }))
        .status,
    ).toBe(409);
    survivor = await page(a.inquirer.id);
    expect(survivor.merges.map((m) => [m.id, m.undoneAt !== null, m.confirmedAt !== null])).toEqual(
      [
        [second.id, false, true],
        [first.id, true, false],
      ],
    );
    // Known now by her Latin name too: a new inquiry in that name from her address is hers.
    const again = await open({ fullName: 'Romanenko Liudmyla', phones: [], emails: [bEmail] });
    expect(again.inquirer.id).toBe(a.inquirer.id);
    const actions = await sql<{ action: string }>(
      `SELECT action FROM audit_event WHERE stream = $1 ORDER BY seq`,
      [`inquirer:${a.inquirer.id}`],
    );
    expect(actions.map((e) => e.action)).toEqual([
      'person.merge',
      'person.merge_undone',
      'person.merge',
      'person.merge_confirmed',
    ]);
  });

  it('splits a person: the inquiries that are someone else’s go to a new record', async () => {
    const shared = phone();
    const mother = await open({ fullName: 'Гнатюк Олена', phones: [shared], emails: [] });
    // Her daughter, of the same name, calls from the same phone about her husband.
    const daughter = await open(
      { fullName: 'Гнатюк Олена', relationship: 'wife', phones: [shared], emails: [] },
      { surname: 'Гнатюк', givenName: 'Максим', birthYear: 1995 },
    );
    expect(daughter.inquirer.id).toBe(mother.inquirer.id);
    const own = phone();
    const res = await post(supervisor, `/api/inquirers/${mother.inquirer.id}/split`, {
      inquiryIds: [daughter.inquiry.id],
      fullName: 'Гнатюк Олена Максимівна',
      // As a person types them: stored as every record's contacts are.
      phones: [`${own.slice(0, 4)} ${own.slice(4, 6)} ${own.slice(6)}`],
      emails: ['Olena.Hnatiuk@Mail.Test'],
      reason: 'The daughter, not the mother: she asks about her husband',
    });
    expect(res.status).toBe(201);
    const [row] = await sql<{ inquirer_id: string; full_name: string; phones: string[] }>(
      `SELECT i.inquirer_id, r.full_name, r.phones, r.emails FROM inquiry i
       JOIN inquirer r ON r.id = i.inquirer_id WHERE i.id = $1`,
      [daughter.inquiry.id],
    );
    expect(row).toEqual({
      inquirer_id: res.body.personId,
      full_name: 'Гнатюк Олена Максимівна',
      phones: [own],
      emails: ['olena.hnatiuk@mail.test'],
    });
    const all = await post(supervisor, `/api/inquirers/${mother.inquirer.id}/split`, {
      inquiryIds: [mother.inquiry.id],
      fullName: 'x',
      reason: 'all of them',
    });
    expect([all.status, all.body.errors?.[0]?.field]).toEqual([400, 'inquiryIds']);
  });

  it('recognises by a verified contact first: of two records of one name and phone, the verified one', async () => {
    const shared = phone();
    const mother = await open({ fullName: 'Остапчук Ніна', phones: [shared], emails: [] });
    const daughter = await open(
      { fullName: 'Остапчук Ніна', relationship: 'wife', phones: [shared], emails: [] },
      { surname: 'Остапчук', givenName: 'Роман', birthYear: 1994 },
    );
    // Two records of the one name on the one phone: the daughter's split off, then verified
    // (her phone trusted).
    const split = await post(supervisor, `/api/inquirers/${mother.inquirer.id}/split`, {
      inquiryIds: [daughter.inquiry.id],
      fullName: 'Остапчук Ніна',
      phones: [shared],
      reason: 'The daughter of the same name, on the family phone',
    });
    expect(split.status).toBe(201);
    for (const to of ['gathering_information', 'verifying']) {
      const { version } = (await detail(daughter.inquiry.id)).inquiry;
      expect(
        (
          await post(caseworker, `/api/inquiries/${daughter.inquiry.id}/transitions`, {
            to,
            version,
          })
        ).status,
      ).toBe(200);
    }
    const verification = await post(
      caseworker,
      `/api/inquiries/${daughter.inquiry.id}/verifications`,
      {
        documents: [{ kind: 'passport', number: '4510 654321' }],
        relationshipEvidence: 'marriage certificate',
        answers: [],
        method: 'video_call',
        outcome: 'verified',
      },
    );
    expect(verification.status).toBe(201);
    expect(
      (
        await post(supervisor, `/api/verifications/${verification.body.id}/countersign`, {
          outcome: 'verified',
        })
      ).status,
    ).toBe(200);
    // She calls again: the verified record is hers, though the mother's is older.
    const again = await open(
      { fullName: 'Ostapchuk Nina', relationship: 'wife', phones: [shared], emails: [] },
      { surname: 'Остапчук', givenName: 'Роман', birthYear: 1994 },
    );
    expect(again.person.match).toEqual({
      personId: split.body.personId,
      by: 'phone',
      verified: true,
    });
    expect(again.person.suggestions.map((p) => [p.id, p.sameName])).toEqual([
      [mother.inquirer.id, true],
    ]);
    const matched = (await detail(again.inquiry.id)).timeline.find(
      (t) => t.action === 'person.matched',
    );
    expect(matched?.detail).toEqual({ by: { to: 'phone' }, verified: { to: true } });
  });

  it('keeps one conversation per person: letters in and out, calls, visits and letters on paper, each to the roles that may read it', async () => {
    const email = `mariia.${unique()}@mail.test`;
    const first = await open({ fullName: 'Гончар Марія', phones: [phone()], emails: [email] });
    const second = await open(
      { fullName: 'Гончар Марія', phones: [], emails: [email] },
      { surname: 'Гончар', givenName: 'Дмитро', birthYear: 1997 },
    );
    expect(second.inquirer.id).toBe(first.inquirer.id);
    while ((await sut.app.get(MailSender).drainOnce()) > 0);
    const wrote = await webhook(
      letter(email, `Re: [${first.inquiry.reference}] Питання`, 'Чи є новини про сина?'),
    );
    expect(wrote.body).toMatchObject({ outcome: 'attached' });
    expect(
      (
        await post(caseworker, `/api/inquiries/${second.inquiry.id}/calls`, {
          direction: 'outbound',
          occurredAt: new Date().toISOString(),
          durationSeconds: 90,
          outcome: 'answered',
        })
      ).status,
    ).toBe(201);
    const paper = await post(caseworker, `/api/inquiries/${first.inquiry.id}/messages`, {
      channel: 'paper_letter',
      direction: 'inbound',
      text: 'Лист від руки: фото сина та копія військового квитка.',
    });
    expect(paper.status).toBe(201);
    const bad = await post(caseworker, `/api/inquiries/${first.inquiry.id}/messages`, {
      channel: 'pigeon',
      direction: 'inbound',
      text: 'x',
    });
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'channel']);
    // A time the database cannot hold is refused, naming it (the fuzz test found a 500 here).
    const ancient = await post(caseworker, `/api/inquiries/${first.inquiry.id}/messages`, {
      channel: 'in_person',
      direction: 'outbound',
      occurredAt: '-047149-02-14T21:34:56.288Z',
      text: 'c',
    });
    expect([ancient.status, ancient.body.errors?.[0]?.field]).toEqual([400, 'occurredAt']);

    type Entry = { at: string; channel: string; direction: string; reference: string };
    const read = async (who: SignedIn) => {
      const res = await who.agent.get(`/api/inquirers/${first.inquirer.id}/conversation`);
      expect(res.status).toBe(200);
      return res.body.items as Entry[];
    };
    const entries = await read(caseworker);
    const kinds = (list: Entry[]) =>
      list.map((e) => `${e.channel} ${e.direction} ${e.reference}`).sort();
    const [a, b] = [first.inquiry.reference, second.inquiry.reference];
    expect(kinds(entries)).toEqual(
      [
        `email inbound ${a}`,
        `email outbound ${a}`,
        `email outbound ${b}`,
        `paper_letter inbound ${a}`,
        `phone outbound ${b}`,
      ].sort(),
    );
    const times = entries.map((e) => new Date(e.at).getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    // Intake staff do not read the letters we sent (their routes' own table).
    const intakeOnly = await signedInStaff(sut, { roles: ['intake'] });
    expect(kinds(await read(intakeOnly))).toEqual(
      [`email inbound ${a}`, `paper_letter inbound ${a}`, `phone outbound ${b}`].sort(),
    );
    const reads = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'conversation.read' AND entity_id = $1`,
      [first.inquirer.id],
    );
    expect(reads[0].n).toBe(2);
  });

  it('answers one reader’s page and conversation asked at once (each read recorded on their stream)', async () => {
    const person = await open({ fullName: 'Савчук Ніна', phones: [phone()], emails: [] });
    const id = person.inquirer.id;
    const answers = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        caseworker.agent.get(`/api/inquirers/${id}${i % 2 ? '/conversation' : ''}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('erases every record of a chain of merges, asked by the first record’s id', async () => {
    const records = [
      await open({ fullName: 'Мороз Віра', phones: [phone()], emails: [] }),
      await open({ fullName: 'Moroz Vira', phones: [phone()], emails: [] }),
      await open({ fullName: 'Мороз Віра Іванівна', phones: [phone()], emails: [] }),
    ];
    const [a, b, c] = records;
    for (const [survivor, absorbed] of [
      [b, a],
      [c, b],
    ]) {
      const res = await post(supervisor, `/api/inquirers/${survivor.inquirer.id}/merges`, {
        absorbedId: absorbed.inquirer.id,
        reason: 'The same woman',
      });
      expect(res.status).toBe(201);
    }
    for (const { inquiry } of records) {
      const { version } = (await detail(inquiry.id)).inquiry;
      const closed = await post(caseworker, `/api/inquiries/${inquiry.id}/transitions`, {
        to: 'closed_withdrawn',
        version,
        reason: 'The family asked us to stop',
      });
      expect(closed.status).toBe(200);
    }
    // Asked by the first record (merged into b, which was merged into c): the person is c.
    const erased = await post(supervisor, `/api/inquirers/${a.inquirer.id}/erasure`, {
      reason: 'Requested in person on 6 December; identity confirmed',
    });
    expect(erased.status).toBe(200);
    expect(
      await sql(`SELECT full_name, phones FROM inquirer WHERE id = ANY($1) ORDER BY created_at`, [
        records.map((r) => r.inquirer.id),
      ]),
    ).toEqual(records.map(() => ({ full_name: '-', phones: [] })));
    expect(
      await sql(`SELECT reason FROM person_merge WHERE absorbed_id = ANY($1)`, [
        records.map((r) => r.inquirer.id),
      ]),
    ).toEqual([{ reason: '-' }, { reason: '-' }]);
  });

  it('undoes merges newest first: a record joined to one since joined on waits for that undo', async () => {
    const a = await open({ fullName: 'Ткачук Люба', phones: [phone()], emails: [] });
    const b = await open({ fullName: 'Tkachuk Liuba', phones: [phone()], emails: [] });
    const c = await open({ fullName: 'Ткачук Любов', phones: [phone()], emails: [] });
    const join = async (survivor: Created, absorbed: Created) => {
      const res = await post(supervisor, `/api/inquirers/${survivor.inquirer.id}/merges`, {
        absorbedId: absorbed.inquirer.id,
        reason: 'The same woman',
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const first = await join(b, a); // a's case → b
    const second = await join(c, b); // b's cases (a's too) → c
    const early = await post(supervisor, `/api/person-merges/${first}/undo`, { reason: 'x' });
    expect([early.status, early.body.title]).toEqual([409, 'Undo the later merge first']);
    const owner = async (created: Created) =>
      (
        await sql<{ inquirer_id: string }>(`SELECT inquirer_id FROM inquiry WHERE id = $1`, [
          created.inquiry.id,
        ])
      )[0].inquirer_id;
    expect(await owner(a)).toBe(c.inquirer.id);
    for (const id of [second, first]) {
      expect(
        (await post(supervisor, `/api/person-merges/${id}/undo`, { reason: 'x' })).status,
      ).toBe(200);
    }
    expect([await owner(a), await owner(b), await owner(c)]).toEqual([
      a.inquirer.id,
      b.inquirer.id,
      c.inquirer.id,
    ]);
  });

  it('puts a new inquiry on the survivor when the person it recognised is merged meanwhile', async () => {
    const shared = phone();
    const survivor = await open({ fullName: 'Кравчук Інна', phones: [phone()], emails: [] });
    const absorbed = await open({ fullName: 'Кравчук Інна', phones: [shared], emails: [] });
    // A merge in flight: the absorbed record locked and pointed at the survivor, not committed.
    const client = new pg.Client({ connectionString: sut.database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE inquirer SET merged_into = $1 WHERE id = $2`, [
        survivor.inquirer.id,
        absorbed.inquirer.id,
      ]);
      const creating = open({ fullName: 'Кравчук Інна', phones: [shared], emails: [] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query(`UPDATE inquiry SET inquirer_id = $1 WHERE inquirer_id = $2`, [
        survivor.inquirer.id,
        absorbed.inquirer.id,
      ]);
      await client.query('COMMIT');
      const created = await creating;
      expect(created.inquirer.id).toBe(survivor.inquirer.id);
    } finally {
      await client.end();
    }
  });
});
