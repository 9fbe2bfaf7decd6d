import type { FamilyNotice } from './family-notices.js';
import type { FamilyChannel } from '../people/people.vocabulary.js';
import type { FamilyStage, FamilyView } from './family-view.js';

// THE table of what a family may be told, and when. The gate applies it when a notice is
// queued, again when it is about to go, and when held notices are reconsidered; docs/disclosure.md
// is generated from it. Change what families hear here and nowhere else.

export interface NoticeRule {
  // Whether this notice, with these fields, tells the family anything about the man's detention
  // (and so may only go once the inquirer is verified and he agreed to be disclosed to them).
  discloses: (fields: NoticeFields) => boolean;
  // The family stages in which it still makes sense; in any other it is dropped unsent.
  stages?: readonly FamilyStage[] | ((fields: NoticeFields) => readonly FamilyStage[]);
  // The fields of the event that may reach the family's letter (all else is left behind).
  fields: readonly string[];
  // For the generated page: what it says, in a few words.
  says: string;
}

export type NoticeFields = Record<string, unknown>;

const never = () => false;
const always = () => true;
const JOURNEY: readonly FamilyStage[] = ['travel_planning', 'in_transit'];
const AFTER_DISCLOSURE: readonly FamilyStage[] = [
  'detention_confirmed',
  'travel_planning',
  'in_transit',
  'handover_scheduled',
];

export const NOTICE_RULES: Record<FamilyNotice, NoticeRule> = {
  'family.acknowledgement': {
    discloses: never,
    fields: [],
    says: 'the inquiry is registered under its reference; what happens next',
  },
  'family.information_requested': {
    discloses: never,
    fields: ['reason'],
    says: 'what the caseworker needs from the family (their own words)',
  },
  'family.callback_scheduled': {
    discloses: never,
    fields: ['dueAt', 'windowMinutes', 'phone'],
    says: 'when the family will be called',
  },
  'family.message': {
    discloses: never,
    fields: ['subject', 'body', 'authorId'],
    says: "a caseworker's own letter (the writer answers for its words)",
  },
  // Sent on confirming detention (identity verified, a record found) or on closing a case whose
  // verification failed; only the latter may go before disclosure.
  'family.verification_outcome': {
    discloses: (fields) => fields.transition === 'confirm_detention',
    stages: (fields) => (fields.transition === 'confirm_detention' ? AFTER_DISCLOSURE : ['closed']),
    fields: ['transition'],
    says: 'the identity check: failed (any time), or passed with a record found (after disclosure)',
  },
  'family.detention_confirmed': {
    discloses: always,
    stages: AFTER_DISCLOSURE,
    fields: [],
    says: 'he is held and agreed that the family be told',
  },
  'family.travel_instructions': {
    discloses: always,
    stages: JOURNEY,
    fields: ['planChanged'],
    says: 'the route, crossing point, dates and escort',
  },
  'family.handover_scheduled': {
    discloses: always,
    stages: ['handover_scheduled'],
    fields: ['rescheduled'],
    says: 'the place and time of the handover in Kyiv',
  },
  'family.case_closed': {
    discloses: never,
    stages: ['closed'],
    fields: [],
    says: 'the case is closed, and why as far as the family may know',
  },
};

// Why a notice did not go.
export const HOLD_REASONS = ['not_disclosed', 'contact_unconfirmed'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];
export const DROP_REASONS = [
  'no_longer_applies',
  'no_address',
  'all_bounced',
  'told_in_the_call',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

// Held notices wait (on the case, visible) and go by themselves once the reason is gone; dropped
// ones will never be sent.
export type NoticeDecision =
  | { outcome: 'send'; channel: FamilyChannel; to: string | null }
  | { outcome: 'hold'; reason: HoldReason }
  | { outcome: 'drop'; reason: DropReason };

export const HOLD_EXPLAINED: Record<
  HoldReason | DropReason | 'unknown_notice' | 'no_case',
  string
> = {
  not_disclosed:
    'the inquirer is not verified, or the prisoner has not agreed to be disclosed to them',
  contact_unconfirmed:
    "the family's address changed after verification; a supervisor must approve it",
  no_longer_applies: 'the case has moved on; the notice no longer applies',
  no_address: 'the family has no address on the channel they chose',
  all_bounced: "every one of the family's addresses bounced",
  told_in_the_call: 'the family hears by phone: the call itself tells them when we call',
  unknown_notice: 'not a notice homecoming sends a family',
  no_case: 'the case no longer exists',
};

// `queue`: the notice is being written (a missing address is not decided yet: one may be added
// before it goes). `send`: it is about to leave.
export function decide(
  notice: FamilyNotice,
  fields: NoticeFields,
  view: FamilyView,
  moment: 'queue' | 'send',
): NoticeDecision {
  const rule = NOTICE_RULES[notice];
  if (rule.discloses(fields) && !view.disclosed)
    return { outcome: 'hold', reason: 'not_disclosed' };
  const stages = typeof rule.stages === 'function' ? rule.stages(fields) : rule.stages;
  if (stages && !stages.includes(view.stage)) {
    return { outcome: 'drop', reason: 'no_longer_applies' };
  }
  // A family who hear by phone are not called to be told that they will be called.
  if (notice === 'family.callback_scheduled' && view.recipient.channel === 'phone') {
    return { outcome: 'drop', reason: 'told_in_the_call' };
  }
  const missing = view.recipient.missing;
  if (missing === 'contact_unconfirmed') return { outcome: 'hold', reason: missing };
  if (missing && moment === 'send') return { outcome: 'drop', reason: missing };
  return { outcome: 'send', channel: view.recipient.channel, to: view.recipient.address };
}

// Only the fields the rule lets through.
export function allowedFields(notice: FamilyNotice, fields: NoticeFields): NoticeFields {
  return Object.fromEntries(
    NOTICE_RULES[notice].fields.filter((f) => f in fields).map((f) => [f, fields[f]]),
  );
}

// Whether the view includes the journey or the appointment: only once disclosed, in the stages
// where the family needs them.
export const shows = {
  journey: (view: Pick<FamilyView, 'disclosed' | 'stage'>) =>
    view.disclosed && JOURNEY.includes(view.stage),
  appointment: (view: Pick<FamilyView, 'disclosed' | 'stage'>) =>
    view.disclosed && view.stage === 'handover_scheduled',
};
