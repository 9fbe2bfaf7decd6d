import { expect } from '@jest/globals';
import type { SignedIn } from './staff.js';
import { createInquiry, inquiryBody } from './inquiries.js';

// A case walked through the API to where identity is settled: a countersigned match to
// `prisonerId`, a countersigned successful verification, and the prisoner's consent to
// disclosure and to the handover; then `detention_confirmed` and, with `upTo: 'travel_planning'`,
// one step further. `inquirer` changes the family (one person is one record: another name makes
// another family, whose contacts an edit elsewhere does not touch).
export async function caseWithIdentitySettled(
  caseworker: SignedIn,
  supervisor: SignedIn,
  prisonerId: string,
  upTo: 'detention_confirmed' | 'travel_planning' = 'travel_planning',
  inquirer: Record<string, unknown> = {},
): Promise<string> {
  const post = (who: SignedIn, path: string, body: Record<string, unknown> = {}) =>
    who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
  const { id } = await createInquiry(caseworker, {
    inquirer: { ...inquiryBody().inquirer, ...inquirer },
  });
  const to = async (status: string) => {
    const { body } = await caseworker.agent.get(`/api/inquiries/${id}`);
    const version = (body.inquiry ?? body).version as number;
    const res = await post(caseworker, `/api/inquiries/${id}/transitions`, { to: status, version });
    expect([status, res.status]).toEqual([status, 200]);
  };
  await to('gathering_information');
  await to('verifying');
  const match = await post(caseworker, `/api/inquiries/${id}/matches`, { prisonerId });
  expect(
    (await post(supervisor, `/api/matches/${match.body.id}/countersign`, { prisonerId })).status,
  ).toBe(200);
  const verification = await post(caseworker, `/api/inquiries/${id}/verifications`, {
    documents: [{ kind: 'passport', number: '4510 123456' }],
    relationshipEvidence: 'birth certificate of the son naming her as the mother',
    answers: [],
    method: 'video_call',
    outcome: 'verified',
  });
  expect(
    (
      await post(supervisor, `/api/verifications/${verification.body.id}/countersign`, {
        outcome: 'verified',
      })
    ).status,
  ).toBe(200);
  for (const kind of ['disclosure', 'handover']) {
    const consent = await post(caseworker, `/api/inquiries/${id}/consents`, {
      kind,
      decision: 'given',
      interviewedOn: new Date().toISOString().slice(0, 10),
      interviewedBy: caseworker.user.id,
    });
    expect(consent.status).toBe(201);
  }
  await to('detention_confirmed');
  if (upTo === 'travel_planning') await to('travel_planning');
  return id;
}

// The registry holding one prisoner, Петров Алексей Сергеевич (born 14 March 2001) — the son
// of support/inquiries' default inquiry — imported through the API by `supervisor`; his id.
export async function importThePrisoner(supervisor: SignedIn, personalNumber: string) {
  const res = await supervisor.agent
    .post('/api/registry/imports')
    .set('X-CSRF-Token', supervisor.csrf)
    .set('Content-Type', 'text/csv')
    .send(
      Buffer.from(
        `personal_number,surname,given_names,patronymic,birth_date\n${personalNumber},Петров,Алексей,Сергеевич,2001-03-14\n`,
      ),
    );
  expect(res.status).toBe(200);
  const found = await supervisor.agent.get('/api/registry/prisoners').query({ q: personalNumber });
  return (found.body.items as { id: string }[])[0].id;
}
