import { applyDecorators, SetMetadata } from '@nestjs/common';

export const ROLES = ['intake', 'caseworker', 'supervisor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// Who may call a route. Deny by default: the authentication guard refuses any route without one,
// and the application refuses to start if a registered route has none.
export type AccessPolicy =
  { kind: 'public' } | { kind: 'authenticated' } | { kind: 'roles'; roles: readonly Role[] };

export const ACCESS_POLICY = 'homecoming:access-policy';

// Anyone, signed in or not (health checks, sign-in itself).
export const Public = () => SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);

// Any signed-in staff member, whatever their roles.
export const Authenticated = () =>
  SetMetadata(ACCESS_POLICY, { kind: 'authenticated' } satisfies AccessPolicy);

// Signed-in staff holding at least one of these roles.
export const Roles = (...roles: Role[]) =>
  SetMetadata(ACCESS_POLICY, { kind: 'roles', roles } satisfies AccessPolicy);

// Who may read what of a case: THE table. The routes that read each part declare it with
// @Reads(scope), and a case's timeline and the audit log show an event's values only to the
// roles of the scope it belongs to (src/audit/audit-actions.ts), so that nobody sees in one what
// the routes refuse them.
export const READ_SCOPES = {
  // The case itself: status and history, the family, the man sought, assignment, duplicates.
  case: ['intake', 'caseworker', 'supervisor', 'auditor'],
  // Calls and promised calls.
  contacts: ['intake', 'caseworker', 'supervisor', 'auditor'],
  // Mail the family sent us.
  inbound_mail: ['intake', 'caseworker', 'supervisor', 'auditor'],
  // The family's status links (never the tokens).
  status_links: ['intake', 'caseworker', 'supervisor', 'auditor'],
  // Letters to the family: sent, held, failed.
  letters: ['caseworker', 'supervisor', 'auditor'],
  // Registry matches of the case.
  matches: ['caseworker', 'supervisor', 'auditor'],
  // The registry itself: candidates, prisoners' records.
  registry: ['caseworker', 'supervisor'],
  verifications: ['caseworker', 'supervisor', 'auditor'],
  consents: ['caseworker', 'supervisor', 'auditor'],
  travel: ['caseworker', 'supervisor', 'auditor'],
  handover: ['caseworker', 'supervisor', 'auditor'],
  // A family's copy of everything held about them.
  subject_access: ['supervisor'],
  // The audit log, and events that belong to no case.
  audit: ['auditor', 'supervisor', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
export type ReadScope = keyof typeof READ_SCOPES;

export const READ_SCOPE = 'homecoming:read-scope';

// A route that reads `scope`: callable by exactly its roles.
export const Reads = (scope: ReadScope) =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, {
      kind: 'roles',
      roles: READ_SCOPES[scope],
    } satisfies AccessPolicy),
    SetMetadata(READ_SCOPE, scope),
  );

export const mayRead = (roles: readonly string[], scope: ReadScope) =>
  (READ_SCOPES[scope] as readonly string[]).some((r) => roles.includes(r));

export const ALLOW_PENDING_SIGN_IN = 'homecoming:allow-pending-sign-in';

// Reachable by a signed-in user who must still change their password or enrol two-factor
// sign-in; every other route refuses them until they have.
export const AllowPendingSignIn = () => SetMetadata(ALLOW_PENDING_SIGN_IN, true);
