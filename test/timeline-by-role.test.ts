import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AUDIT_ACTIONS, isReadAction, type AuditAction } from '../src/audit/audit-actions.js';
import { AuditService } from '../src/audit/audit.service.js';
import { RoutePolicyInspector, type RouteInfo } from '../src/auth/route-policy.inspector.js';
import {
  READ_SCOPES,
  ROLES,
  type ReadScope,
  type Role,
} from '../src/common/decorators/access-policy.decorator.js';
import { createInquiry } from './support/inquiries.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Views by role from one policy (issue 18, item 3): a case's timeline and the audit log show an
// event only to the roles that may read what it belongs to — the same table the routes are
// declared with. Walks every role × every audit event type: one event of each type on one case,
// written through the audit service (each carrying a value only it has), then each role reads
// the case and the log.
const CASE_ACTIONS = (Object.keys(AUDIT_ACTIONS) as AuditAction[]).filter(
  (a) => !isReadAction(a) && a !== 'inquiry.transition',
);
const secretOf = (action: string) => `value-of-${action}`;

describe('what each role sees of a case, event by event', () => {
  let sut: TestApp;
  let routes: RouteInfo[];
  const staff = new Map<Role, SignedIn>();
  let inquiryId: string;
  let inquirerId: string;

  // A GET route reading `scope` that can be called for the case (its only parameter is the case or
  // its inquirer), as a URL.
  const urlsOf = (scope: ReadScope) =>
    routes
      .filter((r) => r.method === 'GET' && r.scope === scope)
      .filter((r) => !/:(?!id\b)\w+/.test(r.path))
      .map((r) => {
        const id = r.path.startsWith('inquirers/') ? inquirerId : inquiryId;
        const path = `/api/${r.path.replace(':id', id)}`;
        return r.path === 'outbox' ? `${path}?inquiryId=${inquiryId}` : path;
      });

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    routes = sut.app.get(RoutePolicyInspector).routes();
    for (const role of ROLES) staff.set(role, await signedInStaff(sut, { roles: [role] }));
    ({ id: inquiryId } = await createInquiry(staff.get('caseworker')!));
    [{ inquirer_id: inquirerId }] = (await sut.app
      .get(DataSource)
      .query(`SELECT inquirer_id FROM inquiry WHERE id = $1`, [inquiryId])) as {
      inquirer_id: string;
    }[];
    const audit = sut.app.get(AuditService);
    for (const action of CASE_ACTIONS) {
      await audit.append({
        action,
        actor: { actor: staff.get('caseworker')!.user.id },
        entityType: 'inquiry',
        entityId: inquiryId,
        inquiryId,
        after: { note: secretOf(action) },
      });
    }
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('declares every read scope on at least one route, with exactly the table’s roles', () => {
    for (const scope of Object.keys(READ_SCOPES) as ReadScope[]) {
      const declared = routes.filter((r) => r.scope === scope);
      expect([scope, declared.length > 0]).toEqual([scope, true]);
      for (const route of declared) {
        expect([route.path, route.policy]).toEqual([
          route.path,
          { kind: 'roles', roles: READ_SCOPES[scope] },
        ]);
      }
    }
  });

  it.each(ROLES)(
    '%s sees in the timeline exactly the events its routes let it read',
    async (role) => {
      const who = staff.get(role)!;
      const detail = await who.agent.get(`/api/inquiries/${inquiryId}`);
      if (!(READ_SCOPES.case as readonly string[]).includes(role)) {
        expect(detail.status).toBe(403);
        return;
      }
      expect(detail.status).toBe(200);
      const seen = new Set(
        (detail.body.timeline as { kind: string; action: string }[])
          .filter((e) => e.kind === 'audit')
          .map((e) => e.action),
      );
      for (const action of CASE_ACTIONS) {
        const scope = AUDIT_ACTIONS[action].scope;
        const allowed = (READ_SCOPES[scope] as readonly string[]).includes(role);
        expect([action, seen.has(action)]).toEqual([action, allowed]);
        if (!seen.has(action)) continue;
        // What the timeline showed, the routes of its scope serve to this role.
        const urls = urlsOf(scope);
        expect([action, urls.length > 0]).toEqual([action, true]);
        for (const url of urls) {
          const res = await who.agent.get(url);
          expect([action, url, res.status === 403]).toEqual([action, url, false]);
        }
      }
    },
  );

  it.each(ROLES)(
    '%s reading the audit log sees a case’s values only where it may read them',
    async (role) => {
      const who = staff.get(role)!;
      const readsOf = async () =>
        (
          (await sut.app
            .get(DataSource)
            .query(
              `SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.read' AND actor = $1`,
              [who.user.id],
            )) as { n: number }[]
        )[0].n;
      const readsBefore = await readsOf();
      const res = await who.agent.get('/api/audit').query({ inquiryId, pageSize: 200 });
      if (!(READ_SCOPES.audit as readonly string[]).includes(role)) {
        expect(res.status).toBe(403);
        return;
      }
      expect(res.status).toBe(200);
      // The case's own events, and its readers' records (which the walks above made many of).
      const items = res.body.items as { action: string; diff: Record<string, unknown> }[];
      const pages = Math.ceil((res.body.total as number) / 200);
      expect(pages).toBeLessThan(4);
      for (let page = 2; page <= pages; page++) {
        const more = await who.agent.get('/api/audit').query({ inquiryId, pageSize: 200, page });
        items.push(...(more.body.items as typeof items));
      }
      for (const action of CASE_ACTIONS) {
        const event = items.find((e) => e.action === action);
        expect([action, Boolean(event)]).toEqual([action, true]);
        const scope = AUDIT_ACTIONS[action].scope;
        const may =
          (READ_SCOPES[scope] as readonly string[]).includes(role) &&
          (READ_SCOPES.case as readonly string[]).includes(role);
        expect([action, event!.diff.note]).toEqual([
          action,
          may ? { to: secretOf(action) } : { hidden: true },
        ]);
      }
      // And each page read was recorded.
      expect((await readsOf()) - readsBefore).toBe(pages);
    },
  );
});
