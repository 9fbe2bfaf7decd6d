import { SetMetadata } from '@nestjs/common';

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

export const ALLOW_PENDING_SIGN_IN = 'homecoming:allow-pending-sign-in';

// Reachable by a signed-in user who must still change their password or enrol two-factor
// sign-in; every other route refuses them until they have.
export const AllowPendingSignIn = () => SetMetadata(ALLOW_PENDING_SIGN_IN, true);
