import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { ROLES, type Role } from '../src/common/decorators/access-policy.decorator.js';
import { InquiryTransitionService } from '../src/inquiries/inquiry-transition.service.js';
import { InquiryGuardRegistry } from '../src/inquiries/state-machine/inquiry-guard.registry.js';
import {
  GUARD_DESCRIPTIONS,
  type GuardId,
} from '../src/inquiries/state-machine/inquiry-guard.types.js';
import { TRANSITIONS } from '../src/inquiries/state-machine/inquiry-state-machine.js';
import {
  INQUIRY_STATES,
  type InquiryState,
} from '../src/inquiries/state-machine/inquiry-states.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff } from './support/staff.js';
import { createInquiry } from './support/inquiries.js';

// Random sequences of commands by random roles never break the machine's invariants. The guards
// (but the sought person's, which the test's inquiries satisfy) are stood in for by switches the
// test flips at random, so that every state is reachable.
describe('state machine invariants (property-based)', () => {
  let sut: TestApp;
  let db: DataSource;
  let transitions: InquiryTransitionService;
  const open = new Set<GuardId>();
  let intake: Awaited<ReturnType<typeof signedInStaff>>;

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    db = sut.app.get(DataSource);
    transitions = sut.app.get(InquiryTransitionService);
    const registry = sut.app.get(InquiryGuardRegistry);
    for (const id of Object.keys(GUARD_DESCRIPTIONS) as GuardId[]) {
      if (id === 'sought_person_details_complete') continue;
      registry.standIn({
        id,
        check: () =>
          Promise.resolve(open.has(id) ? { ok: true } : { ok: false, reason: `${id} closed` }),
      });
    }
    intake = await signedInStaff(sut, { roles: ['intake'] });
  });

  afterAll(async () => {
    await sut.close();
  });

  const command = fc.record({
    to: fc.constantFrom(...INQUIRY_STATES),
    role: fc.constantFrom(...ROLES),
    openGuards: fc.subarray(Object.keys(GUARD_DESCRIPTIONS) as GuardId[]),
    stale: fc.boolean(),
  });

  it('status = last history row; one audit event and its outbox rows per transition; closed left only by reopen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 25 }), async (commands) => {
        const { id } = await createInquiry(intake);
        let succeeded = 0;
        for (const c of commands) {
          open.clear();
          c.openGuards.forEach((g) => open.add(g));
          const [{ version }] = (await db.query('SELECT version FROM inquiry WHERE id = $1', [
            id,
          ])) as { version: number }[];
          try {
            await transitions.execute({
              inquiryId: id,
              to: c.to,
              reason: 'property test',
              version: c.stale ? version - 1 : version,
              actor: { actor: intake.user.id },
              roles: [c.role] as Role[],
            });
            succeeded += 1;
          } catch (error) {
            expect((error as { code?: string }).code).toMatch(
              /^(illegal_transition|forbidden|guard_blocked|stale_version)$/,
            );
          }
        }

        const [inquiry] = (await db.query('SELECT status FROM inquiry WHERE id = $1', [id])) as {
          status: InquiryState;
        }[];
        const history = (await db.query(
          'SELECT status, transition, left_at FROM inquiry_status_history WHERE inquiry_id = $1 ORDER BY entered_at, id',
          [id],
        )) as { status: InquiryState; transition: string | null; left_at: Date | null }[];
        expect(history.at(-1)!.status).toBe(inquiry.status);
        expect(history.filter((h) => h.left_at === null)).toHaveLength(1);
        expect(history).toHaveLength(succeeded + 1);

        const events = (await db.query(
          `SELECT diff FROM audit_event WHERE inquiry_id = $1 AND action = 'inquiry.transition'`,
          [id],
        )) as { diff: { notifications?: { to: string[] } | string[] } }[];
        expect(events).toHaveLength(succeeded);
        const [{ n: outboxRows }] = (await db.query(
          `SELECT count(*)::int AS n FROM outbox_message WHERE inquiry_id = $1 AND event_type <> 'family.acknowledgement'`,
          [id],
        )) as { n: number }[];
        const announced = events.reduce((sum, e) => {
          const n = e.diff.notifications;
          return sum + (Array.isArray(n) ? n.length : (n?.to.length ?? 0));
        }, 0);
        expect(outboxRows).toBe(announced);

        for (let i = 1; i < history.length; i++) {
          if (history[i - 1].status.startsWith('closed_'))
            expect(history[i].transition).toBe('reopen');
          if (history[i].status === 'handed_over')
            expect(history[i - 1].status).toBe('handover_scheduled');
        }
      }),
      { numRuns: 25 },
    );
  });

  it('reaches handed_over only through handover_scheduled, and every state is reachable', () => {
    const into = new Map<string, Set<string>>();
    for (const rule of TRANSITIONS) {
      const targets = rule.to === 'previous' ? [] : [rule.to];
      for (const t of targets)
        rule.from.forEach((f) => into.set(t, (into.get(t) ?? new Set()).add(f)));
    }
    expect([...(into.get('handed_over') ?? [])]).toEqual(['handover_scheduled']);
    const reachable = new Set<string>(['received']);
    for (let changed = true; changed;) {
      changed = false;
      for (const rule of TRANSITIONS) {
        if (
          rule.to !== 'previous' &&
          rule.from.some((f) => reachable.has(f)) &&
          !reachable.has(rule.to)
        ) {
          reachable.add(rule.to);
          changed = true;
        }
      }
    }
    expect([...reachable].sort()).toEqual([...INQUIRY_STATES].sort());
  });
});
