import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { MailSender } from '../src/mail/mail-sender.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createInquiry } from './support/inquiries.js';

const REGISTRY = [
  'personal_number,surname,given_names,patronymic,birth_date,fathers_first_name,mothers_maiden_name,location_category',
  'AB-1000001,Петров,Алексей,Сергеевич,2001-03-14,Сергей,Иванова,internment_camp',
  'AB-1000002,Петров,Алексей,Игоревич,1999-10-10,Игорь,Смирнова,hospital',
].join('\n');

// Four eyes on matches and verifications, consent, and the state machine's guards that read
// them — through the API, as staff would do it.
describe('identity confirmation', () => {
  let sut: TestApp;
  let caseworker: SignedIn;
  let supervisor: SignedIn;
  let otherSupervisor: SignedIn;
  let prisonerId: string;
  let mailDir: string;

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, path: string, body: Record<string, unknown> = {}) =>
    who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
  const transition = async (inquiryId: string, to: string, reason = 'test') => {
    const { body } = await caseworker.agent.get(`/api/inquiries/${inquiryId}`);
    const version = (body.inquiry ?? body).version as number;
    return post(caseworker, `/api/inquiries/${inquiryId}/transitions`, { to, version, reason });
  };
  // A case in `verifying` about Петров Алексей Сергеевич, born 14 March 2001.
  const verifyingCase = async () => {
    const { id } = await createInquiry(caseworker);
    expect((await transition(id, 'gathering_information')).status).toBe(200);
    expect((await transition(id, 'verifying')).status).toBe(200);
    return id;
  };
  const confirmedMatch = async (inquiryId: string) => {
    const proposed = await post(caseworker, `/api/inquiries/${inquiryId}/matches`, { prisonerId });
    expect(proposed.status).toBe(201);
    expect(
      (await post(supervisor, `/api/matches/${proposed.body.id}/countersign`, { prisonerId }))
        .status,
    ).toBe(200);
  };
  const signedVerification = async (inquiryId: string, outcome: 'verified' | 'failed') => {
    const recorded = await post(caseworker, `/api/inquiries/${inquiryId}/verifications`, {
      documents: [{ kind: 'passport', number: '4510 123456' }],
      relationshipEvidence: 'birth certificate of the son naming her as the mother',
      answers: [
        { question: 'fathers_first_name', answer: 'Sergey' },
        { question: 'mothers_maiden_name', answer: 'Петрова' },
      ],
      method: 'video_call',
      outcome,
    });
    expect(recorded.status).toBe(201);
    const signed = await post(supervisor, `/api/verifications/${recorded.body.id}/countersign`, {
      outcome,
    });
    expect(signed.status).toBe(200);
    return recorded.body;
  };
  const consent = (inquiryId: string, kind: string, decision: string) =>
    post(caseworker, `/api/inquiries/${inquiryId}/consents`, {
      kind,
      decision,
      interviewedOn: new Date().toISOString().slice(0, 10),
      interviewedBy: caseworker.user.id,
    });

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(os.tmpdir(), 'homecoming-identity-mail-'));
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none', MAIL_DIR: mailDir } });
    caseworker = await signedInStaff(sut, { roles: ['caseworker'] });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    otherSupervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    const imported = await supervisor.agent
      .post('/api/registry/imports')
      .set('X-CSRF-Token', supervisor.csrf)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(REGISTRY));
    expect(imported.status).toBe(200);
    [{ id: prisonerId }] = await sql<{ id: string }>(
      `SELECT id FROM prisoner WHERE personal_number = 'AB-1000001'`,
    );
  });

  afterAll(async () => {
    await sut?.close();
    await rm(mailDir, { recursive: true, force: true });
  });

  it('confirms a match only with a second, different signature; rejecting needs a reason', async () => {
    const inquiryId = await verifyingCase();
    const proposed = await post(supervisor, `/api/inquiries/${inquiryId}/matches`, { prisonerId });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ state: 'proposed', proposedBy: supervisor.user.id });
    expect(proposed.body.explanation.strength).toBe('strong');

    const again = await post(caseworker, `/api/inquiries/${inquiryId}/matches`, { prisonerId });
    expect(again.status).toBe(409);

    const own = await post(supervisor, `/api/matches/${proposed.body.id}/countersign`, {
      prisonerId,
    });
    expect(own.status).toBe(409);
    expect(own.body.code).toBe('four_eyes_required');
    expect(
      (await post(caseworker, `/api/matches/${proposed.body.id}/countersign`, { prisonerId }))
        .status,
    ).toBe(403);

    const queue = await otherSupervisor.agent.get('/api/identity/awaiting-countersignature');
    expect(queue.body.map((w: { id: string }) => w.id)).toContain(proposed.body.id);
    const ownQueue = await supervisor.agent.get('/api/identity/awaiting-countersignature');
    expect(ownQueue.body.map((w: { id: string }) => w.id)).not.toContain(proposed.body.id);

    const signed = await post(otherSupervisor, `/api/matches/${proposed.body.id}/countersign`, {
      prisonerId,
    });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({
      state: 'confirmed',
      countersignedBy: otherSupervisor.user.id,
    });

    const noReason = await post(caseworker, `/api/matches/${proposed.body.id}/reject`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
    const rejected = await post(caseworker, `/api/matches/${proposed.body.id}/reject`, {
      reason: 'the mother says he has no scar; the registry photo shows one',
    });
    expect(rejected.body).toMatchObject({ state: 'rejected', rejectedBy: caseworker.user.id });

    const timeline = await sql<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_event WHERE inquiry_id = $1 AND action LIKE 'match.%' ORDER BY seq`,
      [inquiryId],
    );
    expect(timeline).toEqual([
      { action: 'match.proposed', actor: supervisor.user.id },
      { action: 'match.countersigned', actor: otherSupervisor.user.id },
      { action: 'match.rejected', actor: caseworker.user.id },
    ]);
  });

  it('keeps document numbers sealed, shows their last four, and checks answers against the registry', async () => {
    const inquiryId = await verifyingCase();
    await confirmedMatch(inquiryId);
    const verification = await signedVerification(inquiryId, 'verified');
    expect(verification.documents).toEqual([{ kind: 'passport', numberLast4: '3456' }]);
    expect(verification.answers).toEqual([
      { question: 'fathers_first_name', answer: 'Sergey', agreesWithRegistry: true },
      { question: 'mothers_maiden_name', answer: 'Петрова', agreesWithRegistry: false },
    ]);
    const [stored] = await sql<{ documents: unknown }>(
      `SELECT documents FROM inquirer_verification WHERE id = $1`,
      [verification.id],
    );
    expect(JSON.stringify(stored.documents)).not.toContain('123456');
    expect(JSON.stringify(stored.documents)).toMatch(/"numberSealed":"v2\.[0-9a-f]{8}\./);
    const listed = await caseworker.agent.get(`/api/inquiries/${inquiryId}/verifications`);
    expect(JSON.stringify(listed.body)).not.toContain('numberSealed');

    const second = await post(caseworker, `/api/inquiries/${inquiryId}/verifications`, {
      documents: [],
      relationshipEvidence: 'callback to the number on file',
      answers: [],
      method: 'callback_verified_number',
      outcome: 'verified',
    });
    const own = await post(caseworker, `/api/verifications/${second.body.id}/countersign`, {
      outcome: 'verified',
    });
    expect(own.status).toBe(403); // caseworkers do not countersign at all
    const sameSupervisor = await post(supervisor, `/api/inquiries/${inquiryId}/verifications`, {
      documents: [],
      relationshipEvidence: 'in person at the office',
      answers: [],
      method: 'in_person',
      outcome: 'verified',
    });
    const refused = await post(
      supervisor,
      `/api/verifications/${sameSupervisor.body.id}/countersign`,
      { outcome: 'verified' },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('four_eyes_required');
  });

  // Each guard, refused without its facts and allowed with them.
  const RULES: {
    rule: string;
    from: 'verifying' | 'detention_confirmed';
    to: string;
    facts: (inquiryId: string) => Promise<void>;
  }[] = [
    {
      rule: 'verifying → detention_confirmed needs a countersigned match and verification',
      from: 'verifying',
      to: 'detention_confirmed',
      facts: async (id) => {
        await confirmedMatch(id);
        await signedVerification(id, 'verified');
      },
    },
    {
      rule: 'verifying → closed_rejected needs a failed, countersigned verification',
      from: 'verifying',
      to: 'closed_rejected',
      facts: async (id) => {
        await signedVerification(id, 'failed');
      },
    },
    {
      rule: 'detention_confirmed → travel_planning needs his consent to the handover and to being disclosed',
      from: 'detention_confirmed',
      to: 'travel_planning',
      facts: async (id) => {
        expect((await consent(id, 'handover', 'given')).status).toBe(201);
        expect((await transition(id, 'travel_planning')).body.code).toBe('guard_blocked');
        expect((await consent(id, 'disclosure', 'given')).status).toBe(201);
      },
    },
    {
      rule: 'detention_confirmed → closed_declined_by_prisoner needs his refusal',
      from: 'detention_confirmed',
      to: 'closed_declined_by_prisoner',
      facts: async (id) => {
        expect((await consent(id, 'disclosure', 'refused')).status).toBe(201);
      },
    },
  ];

  it.each(RULES)('$rule', async ({ from, to, facts }) => {
    const id = await verifyingCase();
    if (from === 'detention_confirmed') {
      await confirmedMatch(id);
      await signedVerification(id, 'verified');
      expect((await transition(id, 'detention_confirmed')).status).toBe(200);
    }
    const blocked = await transition(id, to);
    expect(blocked.status).toBe(422);
    expect(blocked.body.code).toBe('guard_blocked');
    await facts(id);
    const allowed = await transition(id, to);
    expect(allowed.status).toBe(200);
    expect(allowed.body.status).toBe(to);
  });

  it('tells the family about detention only after verification and his consent to disclosure; until then the notices are held on the case', async () => {
    const notified = async (id: string, state = 'pending') =>
      (
        await sql<{ event_type: string }>(
          `SELECT event_type FROM outbox_message WHERE inquiry_id = $1 AND state = $2
           ORDER BY created_at, event_type`,
          [id, state],
        )
      ).map((r) => r.event_type);
    const withoutConsent = await verifyingCase();
    await confirmedMatch(withoutConsent);
    await signedVerification(withoutConsent, 'verified');
    expect((await transition(withoutConsent, 'detention_confirmed')).status).toBe(200);
    expect(await notified(withoutConsent)).toEqual(['family.acknowledgement']);
    expect(await notified(withoutConsent, 'held')).toEqual([
      'family.detention_confirmed',
      'family.verification_outcome',
    ]);
    // Held, on the case: which notice, why, after whose action.
    const held = await sql<{ actor: string; action: string }>(
      `SELECT actor, action FROM audit_event WHERE inquiry_id = $1 AND action = 'notice.held'`,
      [withoutConsent],
    );
    expect(held).toEqual([
      { actor: caseworker.user.id, action: 'notice.held' },
      { actor: caseworker.user.id, action: 'notice.held' },
    ]);
    // His consent lets them go.
    expect((await consent(withoutConsent, 'disclosure', 'given')).status).toBe(201);
    expect(await notified(withoutConsent)).toEqual([
      'family.acknowledgement',
      'family.detention_confirmed',
      'family.verification_outcome',
    ]);
    expect(await notified(withoutConsent, 'held')).toEqual([]);

    const withConsent = await verifyingCase();
    await confirmedMatch(withConsent);
    await signedVerification(withConsent, 'verified');
    expect((await consent(withConsent, 'disclosure', 'given')).status).toBe(201);
    expect((await transition(withConsent, 'detention_confirmed')).status).toBe(200);
    expect(await notified(withConsent)).toContain('family.detention_confirmed');
  });

  it('records consent only for a confirmed match, by a staff member, not in the future', async () => {
    const id = await verifyingCase();
    const early = await consent(id, 'disclosure', 'given');
    expect(early.status).toBe(409);
    await confirmedMatch(id);
    const future = await post(caseworker, `/api/inquiries/${id}/consents`, {
      kind: 'handover',
      decision: 'given',
      interviewedOn: '2999-01-01',
      interviewedBy: caseworker.user.id,
    });
    expect(future.status).toBe(400);
    expect(future.body.errors[0].field).toBe('interviewedOn');
    const unknown = await post(caseworker, `/api/inquiries/${id}/consents`, {
      kind: 'handover',
      decision: 'maybe',
      interviewedOn: '2026-01-01',
      interviewedBy: caseworker.user.id,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('decision');
  });

  it('flags shared contacts, shared documents and a prisoner sought by unrelated people on every case involved', async () => {
    const signals = async (id: string) =>
      Object.fromEntries(
        (
          (await caseworker.agent.get(`/api/inquiries/${id}/signals`)).body as {
            kind: string;
            inquiries: { id: string }[];
          }[]
        ).map((s) => [s.kind, s.inquiries.map((i) => i.id)]),
      );
    const stranger = (phone: string, email: string) => ({
      fullName: 'Незнакомая Мария',
      relationship: 'mother',
      phones: [phone],
      emails: [email],
      preferredLanguage: 'ru',
    });
    // The same mother's phone on a case about another son.
    const first = await verifyingCase();
    const { id: brother } = await createInquiry(caseworker, {
      soughtPerson: { surname: 'Петров', givenName: 'Николай', birthYear: 1998 },
    });
    expect((await signals(first)).shared_contact).toContain(brother);
    expect((await signals(brother)).shared_contact).toContain(first);

    // The same passport shown by an unrelated inquirer about someone else.
    const { id: other } = await createInquiry(caseworker, {
      inquirer: stranger('+7 903 000-00-01', 'maria.one@example.test'),
      soughtPerson: { surname: 'Иванов', givenName: 'Иван', birthYear: 1995 },
    });
    for (const id of [first, other]) {
      const recorded = await post(caseworker, `/api/inquiries/${id}/verifications`, {
        documents: [{ kind: 'passport', number: id === first ? '4510 999888' : '4510-999-888' }],
        relationshipEvidence: 'birth certificate',
        answers: [],
        method: 'in_person',
        outcome: 'verified',
      });
      expect(recorded.status).toBe(201);
    }
    expect((await signals(first)).shared_document).toEqual([other]);
    expect((await signals(other)).shared_document).toEqual([first]);

    // The same prisoner proposed for a case of an unrelated inquirer.
    const { id: rival } = await createInquiry(caseworker, {
      inquirer: stranger('+7 903 000-00-02', 'maria.two@example.test'),
    });
    expect((await post(caseworker, `/api/inquiries/${first}/matches`, { prisonerId })).status).toBe(
      201,
    );
    expect((await post(caseworker, `/api/inquiries/${rival}/matches`, { prisonerId })).status).toBe(
      201,
    );
    expect((await signals(first)).prisoner_sought_by_several).toEqual([rival]);
    // (and every earlier case of this file proposing him: all by the same, unrelated mother)
    expect((await signals(rival)).prisoner_sought_by_several).toContain(first);
    // Nothing shared, nothing flagged.
    const { id: alone } = await createInquiry(caseworker, {
      inquirer: stranger('+7 903 000-00-03', 'maria.three@example.test'),
      soughtPerson: { surname: 'Сидоров', givenName: 'Павел', birthYear: 1990 },
    });
    expect(await signals(alone)).toEqual({});
  });

  it('closing as declined says why only when he agreed to be disclosed to the family', async () => {
    const closedLetter = async (id: string) => {
      while ((await sut.app.get(MailSender).drainOnce()) > 0);
      const [{ reference }] = await sql<{ reference: string }>(
        `SELECT reference FROM inquiry WHERE id = $1`,
        [id],
      );
      for (const file of await readdir(mailDir)) {
        const mail = await simpleParser(await readFile(path.join(mailDir, file)));
        if (mail.subject?.includes(reference) && /закрыт/i.test(mail.subject))
          return mail.text ?? '';
      }
      throw new Error(`no closing letter for ${reference}`);
    };
    const declined = async (refusals: [string, string][]) => {
      const id = await verifyingCase();
      await confirmedMatch(id);
      await signedVerification(id, 'verified');
      expect((await transition(id, 'detention_confirmed')).status).toBe(200);
      for (const [kind, decision] of refusals) {
        expect((await consent(id, kind, decision)).status).toBe(201);
      }
      expect((await transition(id, 'closed_declined_by_prisoner')).status).toBe(200);
      return closedLetter(id);
    };
    const silent = await declined([['disclosure', 'refused']]);
    expect(silent).toContain('Сейчас мы не можем сообщить вам никаких сведений о нём.');
    expect(silent).not.toMatch(/соглас/);
    const explained = await declined([
      ['disclosure', 'given'],
      ['handover', 'refused'],
    ]);
    expect(explained).toContain('Он не дал согласия');
  });
});
