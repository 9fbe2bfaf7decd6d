import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ROLES, type Role } from '../src/common/decorators/access-policy.decorator.js';
import {
  INQUIRY_STATES,
  type InquiryState,
} from '../src/inquiries/state-machine/inquiry-states.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createInquiry } from './support/inquiries.js';

// The process as DESIGN.md draws it, written out again by hand — independently of the table in
// src/inquiries/state-machine — so that a change to either shows up here.
const CASE: Role[] = ['caseworker', 'supervisor'];
const OPEN: InquiryState[] = [
  'received',
  'gathering_information',
  'verifying',
  'detention_confirmed',
  'travel_planning',
  'in_transit',
  'handover_scheduled',
];
const CLOSED: InquiryState[] = [
  'closed_not_found',
  'closed_withdrawn',
  'closed_rejected',
  'closed_declined_by_prisoner',
  'closed_duplicate',
];
// `blocked`: a guard whose facts this test never records (matches, verifications, consent,
// travel and handover): the transition is refused with guard_blocked.
type Edge = { roles: Role[]; blocked?: true };
const EDGES = new Map<string, Edge>();
const edge = (from: InquiryState[], to: InquiryState, roles: Role[], blocked?: true) =>
  from.forEach((f) => EDGES.set(`${f}>${to}`, { roles, blocked }));
edge(['received'], 'gathering_information', ['intake', ...CASE]);
edge(['gathering_information'], 'verifying', CASE);
edge(['verifying'], 'gathering_information', CASE);
edge(['verifying'], 'detention_confirmed', CASE, true);
edge(['detention_confirmed'], 'travel_planning', CASE, true);
edge(['travel_planning'], 'in_transit', CASE, true);
edge(['in_transit'], 'handover_scheduled', CASE, true);
edge(['handover_scheduled'], 'handed_over', CASE, true);
edge(['received', 'gathering_information', 'verifying'], 'closed_not_found', CASE);
edge(OPEN, 'closed_withdrawn', CASE);
edge(['verifying'], 'closed_rejected', CASE, true);
edge(['detention_confirmed', 'travel_planning'], 'closed_declined_by_prisoner', CASE, true);
edge(OPEN, 'closed_duplicate', ['supervisor']);
edge(OPEN, 'on_hold', CASE);
edge(CLOSED, 'gathering_information', ['supervisor']);
// on_hold returns to the status it came from: the test puts inquiries on hold from `verifying`.
const HELD_FROM: InquiryState = 'verifying';
edge(['on_hold'], HELD_FROM, CASE);

// Roles that may call POST /api/inquiries/:id/transitions at all.
const ROUTE_ROLES: Role[] = ['intake', 'caseworker', 'supervisor'];

function expected(from: InquiryState, to: InquiryState, role: Role): [number, string | undefined] {
  if (!ROUTE_ROLES.includes(role)) return [403, 'forbidden'];
  const rule = EDGES.get(`${from}>${to}`);
  if (!rule) return [409, 'illegal_transition'];
  if (!rule.roles.includes(role)) return [403, 'forbidden'];
  if (rule.blocked) return [422, 'guard_blocked'];
  return [200, undefined];
}

describe('every (state, target, role) triple', () => {
  let sut: TestApp;
  const staff = new Map<Role, SignedIn>();
  let inquiryId: string;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    for (const role of ROLES) staff.set(role, await signedInStaff(sut, { roles: [role] }));
    inquiryId = (await createInquiry(staff.get('intake')!)).id;
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each(INQUIRY_STATES)('from %s', async (from) => {
    const db = sut.app.get(DataSource);
    const outcomes: string[] = [];
    const wanted: string[] = [];
    for (const role of ROLES) {
      const who = staff.get(role)!;
      for (const to of INQUIRY_STATES) {
        // Put the inquiry in `from` behind the machine's back, at a known version.
        await db.query(
          `UPDATE inquiry SET status = $2, previous_status = $3, version = 100 WHERE id = $1`,
          [inquiryId, from, from === 'on_hold' ? HELD_FROM : null],
        );
        const res = await who.agent
          .post(`/api/inquiries/${inquiryId}/transitions`)
          .set('X-CSRF-Token', who.csrf)
          .send({ to, version: 100, reason: 'table test' });
        outcomes.push(`${role} → ${to}: ${res.status} ${res.status === 200 ? '' : res.body.code}`);
        const [status, code] = expected(from, to, role);
        wanted.push(`${role} → ${to}: ${status} ${code ?? ''}`);
        if (res.status === 200) expect(res.body.status).toBe(to);
      }
    }
    expect(outcomes).toEqual(wanted);
  });
});
