import type { Role } from '../common/decorators/access-policy.decorator.js';
import type { AppConfig } from '../config/app-config.js';
import type { StaffUser } from './staff-user.entity.js';

// What a signed-in user must still do before using the application.
export type PendingStep = 'password_change' | 'totp_enrolment';

export function pendingStepOf(user: StaffUser, config: AppConfig): PendingStep | undefined {
  if (user.mustChangePassword) return 'password_change';
  if (!user.totpEnabled && requiresTotp(user.roles, config)) return 'totp_enrolment';
  return undefined;
}

export function requiresTotp(roles: readonly Role[], config: AppConfig): boolean {
  return roles.some((role) => config.auth.totpRequiredRoles.includes(role));
}
