import { api, setCsrfToken } from './http';

export type Role = 'intake' | 'caseworker' | 'supervisor' | 'auditor' | 'admin';
export type PendingStep = 'password_change' | 'totp_enrolment';

export interface SessionView {
  user: { id: string; email: string; displayName: string; roles: Role[]; totpEnabled: boolean };
  csrfToken: string;
  pendingStep: PendingStep | null;
}

// The signed-in user as the server last described them. The cookie itself is httpOnly: the UI
// only ever learns about the session from the API.
let current: SessionView | undefined;

export const currentSession = () => current;

export function remember(view: SessionView): SessionView {
  current = view;
  setCsrfToken(view.csrfToken);
  return view;
}

export function forget(): void {
  current = undefined;
  setCsrfToken(undefined);
}

// Asked by several parts of react-admin at once on start-up: one request answers them all.
let loading: Promise<SessionView> | undefined;
export function loadSession(): Promise<SessionView> {
  loading ??= api<SessionView>('/auth/me')
    .then(remember)
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

// Which screens and buttons a role sees: the same table the API enforces (the server refuses
// anyway; this only keeps people from being offered what they cannot do).
const ACCESS: Record<string, Role[]> = {
  'inquiries.list': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'inquiries.show': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'inquiries.create': ['intake', 'caseworker', 'supervisor'],
  'inquiries.edit': ['intake', 'caseworker', 'supervisor'],
  'inquiries.take': ['caseworker', 'supervisor'],
  'inquiries.assign': ['supervisor'],
  'inquiries.contact': ['intake', 'caseworker', 'supervisor'],
  'callbacks.list': ['intake', 'caseworker', 'supervisor'],
  'mail.list': ['caseworker', 'supervisor', 'auditor'],
  'mail.write': ['intake', 'caseworker', 'supervisor'],
  'mail.manage': ['supervisor'],
  'mail.received': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'mail.download': ['intake', 'caseworker', 'supervisor'],
  'quarantine.list': ['supervisor'],
  'review.list': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'review.decide': ['intake', 'caseworker', 'supervisor'],
  'registry.search': ['caseworker', 'supervisor'],
  'registry.import': ['supervisor', 'admin'],
  'identity.show': ['caseworker', 'supervisor', 'auditor'],
  'identity.work': ['caseworker', 'supervisor'],
  'identity.countersign': ['supervisor'],
  'travel.show': ['caseworker', 'supervisor', 'auditor'],
  'travel.edit': ['caseworker', 'supervisor'],
  'travel.manifest': ['supervisor'],
  'reports.show': ['supervisor', 'auditor', 'admin'],
  'handover.override': ['supervisor'],
  'status_link.issue': ['intake', 'caseworker', 'supervisor'],
  'status_link.revoke': ['caseworker', 'supervisor'],
  'privacy.manage': ['supervisor'],
  'persons.show': ['intake', 'caseworker', 'supervisor', 'auditor'],
  'persons.merge': ['supervisor'],
  'searches.link': ['caseworker', 'supervisor'],
  'inquiries.merge': ['supervisor'],
  'contacts.approve': ['supervisor'],
};

export function allowed(roles: readonly Role[] | undefined, resource: string, action: string) {
  const needed = ACCESS[`${resource}.${action}`];
  return Boolean(needed && roles?.some((r) => needed.includes(r)));
}
