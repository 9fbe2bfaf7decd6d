import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { RoutePolicyInspector, type RouteInfo } from '../src/auth/route-policy.inspector.js';
import {
  ROLES,
  type AccessPolicy,
  type Role,
} from '../src/common/decorators/access-policy.decorator.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

// Every route of the application and who may call it. A new route fails this test until it is
// added here — a deliberate second look at who can reach it.
const EXPECTED: Record<string, 'public' | 'authenticated' | Role[]> = {
  'GET health/live': 'public',
  'GET inquirers/:id': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'GET inquirers/:id/conversation': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/messages': ['intake', 'caseworker', 'supervisor'],
  'POST inquirers/:id/merges': ['supervisor'],
  'POST inquirers/:id/split': ['supervisor'],
  'POST person-merges/:mergeId/undo': ['supervisor'],
  'POST person-merges/:mergeId/confirm': ['supervisor'],
  'POST inquiries/:id/search': ['caseworker', 'supervisor'],
  'POST inquiries/:id/search/unlink': ['caseworker', 'supervisor'],
  'GET health/ready': 'public',
  // A bearer token (METRICS_TOKEN), not a session: test/metrics.test.ts.
  'GET metrics': 'public',
  'GET status/:token': 'public',
  'GET reports/:name': ['supervisor', 'auditor', 'admin'],
  'GET reports/export/inquiries': ['supervisor', 'auditor', 'admin'],
  'GET inquiries/:id/status-links': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/status-links': ['intake', 'caseworker', 'supervisor'],
  'POST inquiries/:id/status-links/revoke': ['caseworker', 'supervisor'],
  'POST auth/login': 'public',
  'POST auth/logout': 'authenticated',
  'GET auth/me': 'authenticated',
  'POST auth/password': 'authenticated',
  'POST auth/totp/enrol': 'authenticated',
  'POST auth/totp/confirm': 'authenticated',
  'POST auth/totp/disable': 'authenticated',
  'GET users': ['admin'],
  'GET users/:id': ['admin'],
  'POST users': ['admin'],
  'PATCH users/:id/roles': ['admin'],
  'POST users/:id/deactivate': ['admin'],
  'POST users/:id/reactivate': ['admin'],
  'POST users/:id/reset-password': ['admin'],
  'GET audit': ['auditor', 'supervisor', 'admin'],
  'POST inquiries': ['intake', 'caseworker', 'supervisor'],
  'GET inquiries': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'GET inquiries/:id': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'GET inquiries/:id/transitions': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'PATCH inquiries/:id': ['intake', 'caseworker', 'supervisor'],
  'POST inquiries/:id/assign': ['caseworker', 'supervisor'],
  'GET inquiries/:id/duplicates': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/merge': ['supervisor'],
  'POST inquiries/:id/transitions': ['intake', 'caseworker', 'supervisor'],
  'GET audit/verify': ['auditor', 'admin'],
  'POST inquiries/:id/calls': ['intake', 'caseworker', 'supervisor'],
  'GET inquiries/:id/calls': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'GET inquiries/:id/match-candidates': ['caseworker', 'supervisor'],
  'GET inquiries/:id/matches': ['caseworker', 'supervisor', 'auditor'],
  'GET inquiries/:id/signals': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/matches': ['caseworker', 'supervisor'],
  'GET inquiries/:id/verifications': ['caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/verifications': ['caseworker', 'supervisor'],
  'GET inquiries/:id/consents': ['caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/consents': ['caseworker', 'supervisor'],
  'GET identity/awaiting-countersignature': ['supervisor'],
  'POST matches/:matchId/countersign': ['supervisor'],
  'POST matches/:matchId/reject': ['caseworker', 'supervisor'],
  'POST verifications/:verificationId/countersign': ['supervisor'],
  'POST registry/imports': ['supervisor', 'admin'],
  'GET handover/locations': ['intake', 'caseworker', 'supervisor', 'auditor', 'admin'],
  'POST handover/locations': ['admin'],
  'PATCH handover/locations/:locationId': ['admin'],
  'GET inquiries/:id/handover-appointments': ['caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/handover-appointments': ['caseworker', 'supervisor'],
  'PATCH handover-appointments/:appointmentId': ['caseworker', 'supervisor'],
  'POST handover-appointments/:appointmentId/arrival-override': ['supervisor'],
  'POST handover-appointments/:appointmentId/postpone': ['caseworker', 'supervisor'],
  'POST handover-appointments/:appointmentId/fail': ['caseworker', 'supervisor'],
  'POST handover-appointments/:appointmentId/complete': ['caseworker', 'supervisor'],
  'POST handover-appointments/:appointmentId/confirm': ['caseworker', 'supervisor'],
  'GET handover-appointments/:appointmentId/act': ['caseworker', 'supervisor', 'auditor'],
  'GET travel/crossings': ['intake', 'caseworker', 'supervisor', 'auditor', 'admin'],
  'PATCH travel/crossings/:crossingId': ['admin'],
  'GET travel/overdue': ['caseworker', 'supervisor'],
  'GET travel/manifest': ['supervisor'],
  'GET inquiries/:id/travel-plan': ['caseworker', 'supervisor', 'auditor'],
  'PUT inquiries/:id/travel-plan': ['caseworker', 'supervisor'],
  'PATCH inquiries/:id/travel-plan': ['caseworker', 'supervisor'],
  'GET inquiries/:id/travel-events': ['caseworker', 'supervisor', 'auditor'],
  'POST inquiries/:id/travel-events': ['caseworker', 'supervisor'],
  'GET registry/prisoners': ['caseworker', 'supervisor'],
  'GET registry/prisoners/:id': ['caseworker', 'supervisor'],
  'POST inquiries/:id/callbacks': ['intake', 'caseworker', 'supervisor'],
  'GET inquiries/:id/callbacks': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'GET callbacks/overdue': ['intake', 'caseworker', 'supervisor'],
  'GET callbacks/due': ['intake', 'caseworker', 'supervisor'],
  'POST inquiries/duplicate-check': ['intake', 'caseworker', 'supervisor'],
  'GET staff': ['intake', 'caseworker', 'supervisor', 'auditor', 'admin'],
  'POST inquiries/:id/emails': ['intake', 'caseworker', 'supervisor'],
  'GET outbox': ['caseworker', 'supervisor', 'auditor'],
  'GET inquiries/:id/inbound-emails': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'GET inbound-attachments/:id': ['intake', 'caseworker', 'supervisor'],
  'POST outbox/:id/retry': ['supervisor'],
  'POST outbox/:id/cancel': ['supervisor'],
  'POST intake/email': 'public',
  'GET intake/review': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'POST intake/review/:id/open': ['intake', 'caseworker', 'supervisor'],
  'POST intake/review/:id/attach': ['intake', 'caseworker', 'supervisor'],
  'POST intake/review/:id/dismiss': ['intake', 'caseworker', 'supervisor'],
  'GET intake/quarantine': ['supervisor'],
  'POST intake/:id/reprocess': ['supervisor'],
  'POST intake/:id/discard': ['supervisor'],
  'POST callbacks/:id/complete': ['intake', 'caseworker', 'supervisor'],
  'POST callbacks/:id/miss': ['intake', 'caseworker', 'supervisor'],
  'POST callbacks/:id/cancel': ['intake', 'caseworker', 'supervisor'],
  'GET inquirers/:id/export': ['supervisor'],
  'POST inquirers/:id/erasure': ['supervisor'],
  'GET matches/:matchId/review': ['supervisor'],
  'GET verifications/:verificationId/review': ['supervisor'],
  'GET inquiries/:id/contact-changes': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'POST contact-changes/:changeId/approve': ['supervisor'],
  'POST contact-changes/:changeId/reject': ['supervisor'],
};

function summary(policy: AccessPolicy | undefined) {
  if (!policy) return undefined;
  return policy.kind === 'roles' ? [...policy.roles].sort() : policy.kind;
}

function urlOf(route: RouteInfo): string {
  const path = route.path.replace(/:[A-Za-z]+/g, randomUUID());
  return route.path.startsWith('health') ? `/${path}` : `/api/${path}`;
}

describe('access policies', () => {
  let sut: TestApp;
  let routes: RouteInfo[];
  const staff = new Map<Role, SignedIn>();

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    routes = sut.app.get(RoutePolicyInspector).routes();
    for (const role of ROLES) staff.set(role, await signedInStaff(sut, { roles: [role] }));
  });

  afterAll(async () => {
    await sut.close();
  });

  it('every registered route declares a policy, and the policies are the expected ones', () => {
    const actual = Object.fromEntries(
      routes.map((r) => [`${r.method} ${r.path}`, summary(r.policy)]),
    );
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]),
    );

    expect(routes.every((r) => r.policy !== undefined)).toBe(true);
    expect(actual).toEqual(expected);
  });

  // The walks below go over the registered routes; the OpenAPI document a client reads lists
  // exactly those (but the families' HTML status page, which is not API), so walking the
  // document would call the same routes.
  it('the OpenAPI document lists every route and nothing else', async () => {
    const res = await request(sut.app.getHttpServer() as App).get('/api/docs-json');
    expect(res.status).toBe(200);
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map(
          (method) =>
            `${method.toUpperCase()} ${path.replace(/^\/(api\/)?/, '').replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      )
      .sort();
    const notApi = ['GET status/:token'];
    expect(documented).toEqual(
      routes
        .map((r) => `${r.method} ${r.path}`)
        .filter((r) => !notApi.includes(r))
        .sort(),
    );
  });

  it('refuses every non-public route without a session', async () => {
    const http = sut.app.getHttpServer() as App;
    for (const route of routes.filter((r) => r.policy?.kind !== 'public')) {
      const res = await request(http)[route.method.toLowerCase() as 'get'](urlOf(route));
      expect([route.path, res.status, res.body.code]).toEqual([route.path, 401, 'unauthorized']);
    }
  });

  it.each(ROLES)('lets %s through exactly where the policy names it', async (role) => {
    const who = staff.get(role)!;
    for (const route of routes.filter((r) => r.policy?.kind === 'roles')) {
      const allowed = (route.policy as { roles: readonly Role[] }).roles.includes(role);
      const res = await who.agent[route.method.toLowerCase() as 'get'](urlOf(route)).set(
        'X-CSRF-Token',
        who.csrf,
      );
      const refused = res.status === 403 && res.body.code === 'forbidden';
      expect([route.method, route.path, refused]).toEqual([route.method, route.path, !allowed]);
    }
  });
});

@Controller('forgotten')
class ForgottenController {
  @Get()
  unprotected(): string {
    return 'should never be served';
  }
}

describe('a route without a policy', () => {
  it('stops the application from starting, naming the route', async () => {
    await expect(createTestApp({ controllers: [ForgottenController] })).rejects.toThrow(
      /routes without an access policy .*GET \/forgotten \(ForgottenController\.unprotected\)/,
    );
  });
});
