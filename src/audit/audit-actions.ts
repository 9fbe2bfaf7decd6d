import {
  mayRead,
  READ_SCOPES,
  type ReadScope,
} from '../common/decorators/access-policy.decorator.js';

// Every action the audit log records, and the read scope whose roles may see it and its values
// in a case's timeline and in the audit log (the same table as the routes':
// READ_SCOPES). `read: true` marks a record of someone reading personal data: those stay out of
// timelines and are written to the reader's own stream (readers of one case never wait for each
// other). An action not listed here cannot be recorded: AuditEventInput takes only these.
export const AUDIT_ACTIONS = {
  // The case.
  'inquiry.create': { scope: 'case' },
  'inquiry.update': { scope: 'case' },
  'inquiry.assign': { scope: 'case' },
  'inquiry.unassign': { scope: 'case' },
  'inquiry.merge': { scope: 'case' },
  // Persons and searches: a new inquiry recognised as a known person's, the man's search linked.
  'person.matched': { scope: 'case' },
  'search.linked': { scope: 'case' },
  'search.unlinked': { scope: 'case' },
  'inquiry.transition': { scope: 'case' },
  'inquiry.pseudonymise': { scope: 'case' },
  'inquiry.erase': { scope: 'case' },
  'contact.change_pending': { scope: 'case' },
  'contact.change_approved': { scope: 'case' },
  'contact.change_rejected': { scope: 'case' },
  'inquiry.read': { scope: 'case', read: true },
  'inquiry.search': { scope: 'case', read: true },
  // Calls and callbacks.
  'call.log': { scope: 'contacts' },
  // A visit in person or a letter on paper recorded; a person's conversation read.
  'message.record': { scope: 'contacts' },
  'conversation.read': { scope: 'case', read: true },
  'callback.schedule': { scope: 'contacts' },
  'callback.complete': { scope: 'contacts' },
  'callback.miss': { scope: 'contacts' },
  'callback.cancel': { scope: 'contacts' },
  'callback.overdue': { scope: 'contacts' },
  'call.read': { scope: 'contacts', read: true },
  'callback.read': { scope: 'contacts', read: true },
  // Mail in.
  'email.received': { scope: 'inbound_mail' },
  'email.auto_reply': { scope: 'inbound_mail' },
  'email.attachment_download': { scope: 'inbound_mail', read: true },
  'email.read': { scope: 'inbound_mail', read: true },
  // A letter from the review queue decided by a person.
  'email.review_opened': { scope: 'inbound_mail' },
  'email.review_attached': { scope: 'inbound_mail' },
  'email.review_dismissed': { scope: 'inbound_mail' },
  // Letters to the family.
  'mail.compose': { scope: 'letters' },
  'mail.sent': { scope: 'letters' },
  'mail.failed': { scope: 'letters' },
  'mail.suppressed': { scope: 'letters' },
  'mail.bounced': { scope: 'letters' },
  'mail.retry_requested': { scope: 'letters' },
  'mail.cancel': { scope: 'letters' },
  'notice.held': { scope: 'letters' },
  'notice.by_phone': { scope: 'letters' },
  'notice.released': { scope: 'letters' },
  'notice.dropped': { scope: 'letters' },
  // Status links.
  'status_link.issued': { scope: 'status_links' },
  'status_link.revoked': { scope: 'status_links' },
  'status_link.viewed': { scope: 'status_links' },
  // Identity.
  'match.proposed': { scope: 'matches' },
  'match.countersigned': { scope: 'matches' },
  'match.rejected': { scope: 'matches' },
  'match.read': { scope: 'matches', read: true },
  'registry.candidates_read': { scope: 'registry', read: true },
  'verification.recorded': { scope: 'verifications' },
  'verification.countersigned': { scope: 'verifications' },
  'verification.read': { scope: 'verifications', read: true },
  'consent.recorded': { scope: 'consents' },
  'consent.read': { scope: 'consents', read: true },
  // The journey and the handover.
  'travel.plan_saved': { scope: 'travel' },
  'travel.step': { scope: 'travel' },
  'travel.crossing_overdue': { scope: 'travel' },
  'travel.read': { scope: 'travel', read: true },
  'travel.manifest_viewed': { scope: 'travel', read: true },
  'travel.manifest_downloaded': { scope: 'travel', read: true },
  'handover.scheduled': { scope: 'handover' },
  'handover.rescheduled': { scope: 'handover' },
  'handover.postponed': { scope: 'handover' },
  'handover.failed': { scope: 'handover' },
  'handover.completed': { scope: 'handover' },
  'handover.confirmed': { scope: 'handover' },
  'handover.arrival_override': { scope: 'handover' },
  'handover.act_viewed': { scope: 'handover', read: true },
  'handover.read': { scope: 'handover', read: true },
  // A person's records made one (and undone, confirmed); reading a person's page.
  'person.merge': { scope: 'case' },
  'person.merge_undone': { scope: 'case' },
  'person.merge_confirmed': { scope: 'case' },
  'person.split': { scope: 'case' },
  'person.read': { scope: 'case', read: true },
  // A family's rights.
  'inquirer.export': { scope: 'subject_access' },
  'inquirer.erase': { scope: 'subject_access' },
  // The registry.
  'registry.import': { scope: 'audit' },
  'registry.search': { scope: 'registry', read: true },
  'registry.prisoner_read': { scope: 'registry', read: true },
  // Everything else belongs to no case.
  'user.create': { scope: 'audit' },
  'user.login': { scope: 'audit' },
  'user.login_failed': { scope: 'audit' },
  'user.lockout': { scope: 'audit' },
  'user.logout': { scope: 'audit' },
  'user.password_change': { scope: 'audit' },
  'user.password_reset': { scope: 'audit' },
  'user.roles_change': { scope: 'audit' },
  'user.deactivate': { scope: 'audit' },
  'user.reactivate': { scope: 'audit' },
  'user.totp_enrolment_started': { scope: 'audit' },
  'user.totp_enable': { scope: 'audit' },
  'user.totp_disable': { scope: 'audit' },
  'crossing.update': { scope: 'audit' },
  'handover_location.create': { scope: 'audit' },
  'handover_location.update': { scope: 'audit' },
  'intake.reprocess': { scope: 'audit' },
  'intake.discard': { scope: 'audit' },
  'report.export': { scope: 'audit', read: true },
  'keys.rotate': { scope: 'audit' },
  'audit.verify': { scope: 'audit' },
  'audit.read': { scope: 'audit', read: true },
} as const satisfies Record<string, { scope: ReadScope; read?: true }>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const isAuditAction = (action: string): action is AuditAction =>
  Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, action);

export const scopeOf = (action: string): ReadScope =>
  isAuditAction(action) ? AUDIT_ACTIONS[action].scope : 'audit';

export const isReadAction = (action: string): boolean =>
  isAuditAction(action) && 'read' in AUDIT_ACTIONS[action];

// Read records, for queries that leave them out.
export const READ_ACTIONS: readonly string[] = Object.keys(AUDIT_ACTIONS).filter(isReadAction);

// Whether someone with `roles` may see this event's values: the roles of its scope and, for an
// event of a case, the roles that may read the case at all.
export function maySeeValues(
  roles: readonly string[],
  event: { action: string; inquiryId: string | null },
): boolean {
  if (!mayRead(roles, scopeOf(event.action))) return false;
  return event.inquiryId === null || mayRead(roles, 'case');
}

export { READ_SCOPES };
