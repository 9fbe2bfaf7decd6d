import type { AuthProvider } from 'react-admin';
import { api, problemCode } from './http';
import {
  allowed,
  currentSession,
  forget,
  loadSession,
  remember,
  type PendingStep,
  type SessionView,
} from './session';

// Thrown by login() when the password was right but the account must first change its password
// or enrol a second factor: the sign-in page shows that step, then signs in for good.
export class PendingStepError extends Error {
  constructor(readonly step: PendingStep) {
    super(step);
  }
}

export interface LoginParams {
  email?: string;
  password?: string;
  totpCode?: string;
  recoveryCode?: string;
  // After a pending step done on the sign-in page: the session it left.
  session?: SessionView;
}

const PENDING_CODES = new Set(['password_change_required', 'totp_enrolment_required']);

export const authProvider: AuthProvider = {
  async login(params: LoginParams) {
    const view =
      params.session ??
      (await api<SessionView>('/auth/login', {
        method: 'POST',
        body: {
          email: params.email,
          password: params.password,
          totpCode: params.totpCode || undefined,
          recoveryCode: params.recoveryCode || undefined,
        },
      }));
    remember(view);
    if (view.pendingStep) throw new PendingStepError(view.pendingStep);
  },

  async logout() {
    if (currentSession()) await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    forget();
  },

  async checkAuth() {
    const view = currentSession() ?? (await loadSession().catch(() => undefined));
    if (!view || view.pendingStep) {
      throw new Error(view ? 'ra.auth.auth_check_error' : 'app.auth.session_ended');
    }
  },

  // 401: the session ended (idle, expired, signed out elsewhere) → sign in, then back to the same
  // page. Anything else is the page's business.
  async checkError(error: unknown) {
    const status = (error as { status?: number })?.status;
    const code = problemCode(error);
    if (status === 401 || (code && PENDING_CODES.has(code))) {
      forget();
      throw new Error('app.auth.session_ended');
    }
  },

  async getIdentity() {
    const view = currentSession() ?? (await loadSession());
    return { id: view.user.id, fullName: view.user.displayName };
  },

  async getPermissions() {
    return (currentSession() ?? (await loadSession())).user.roles;
  },

  async canAccess({ resource, action }) {
    const view = currentSession() ?? (await loadSession().catch(() => undefined));
    return allowed(view?.user.roles, resource, action);
  },
};
