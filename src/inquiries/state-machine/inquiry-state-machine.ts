import type { Role } from '../../common/decorators/access-policy.decorator.js';
import type { FamilyNotice } from '../../disclosure/family-notices.js';
import type { GuardId } from './inquiry-guard.types.js';
import { CLOSED_STATES, OPEN_STATES, type InquiryState } from './inquiry-states.js';

// Notices a transition emits. Family ones go through the disclosure gate, which decides whether
// the family may be told now (src/disclosure/disclosure.policy.ts; docs/disclosure.md) and holds
// back what they may not; staff ones go to the assigned caseworker.
export type NotificationEvent = FamilyNotice | 'staff.inquiry_assigned';

export interface TransitionRule {
  readonly name: string;
  readonly from: readonly InquiryState[];
  // `previous`: back to the status the inquiry had before `on_hold`.
  readonly to: InquiryState | 'previous';
  readonly roles: readonly Role[];
  readonly guards: readonly GuardId[];
  readonly notifications: readonly NotificationEvent[];
  readonly reasonRequired: boolean;
}

const CASE_STAFF: readonly Role[] = ['caseworker', 'supervisor'];
const ALL_OPEN = OPEN_STATES;

// THE table: every transition of an inquiry. The API, the UI's buttons, the docs diagram and
// the tests are derived from it; change the process here and nowhere else.
export const TRANSITIONS: readonly TransitionRule[] = [
  {
    name: 'triage',
    from: ['received'],
    to: 'gathering_information',
    roles: ['intake', 'caseworker', 'supervisor'],
    guards: [],
    notifications: [],
    reasonRequired: false,
  },
  {
    name: 'start_verification',
    from: ['gathering_information'],
    to: 'verifying',
    roles: CASE_STAFF,
    guards: ['sought_person_details_complete'],
    notifications: [],
    reasonRequired: false,
  },
  {
    name: 'request_information',
    from: ['verifying'],
    to: 'gathering_information',
    roles: CASE_STAFF,
    guards: [],
    notifications: ['family.information_requested'],
    reasonRequired: true,
  },
  {
    name: 'confirm_detention',
    from: ['verifying'],
    to: 'detention_confirmed',
    roles: CASE_STAFF,
    guards: ['inquirer_verified', 'prisoner_match_confirmed'],
    notifications: ['family.verification_outcome', 'family.detention_confirmed'],
    reasonRequired: false,
  },
  {
    // A journey the family cannot be told of cannot be planned with them.
    name: 'plan_travel',
    from: ['detention_confirmed'],
    to: 'travel_planning',
    roles: CASE_STAFF,
    guards: ['prisoner_consents_to_return', 'detention_disclosure_allowed'],
    notifications: [],
    reasonRequired: false,
  },
  {
    name: 'start_transit',
    from: ['travel_planning'],
    to: 'in_transit',
    roles: CASE_STAFF,
    guards: ['travel_plan_complete'],
    notifications: ['family.travel_instructions'],
    reasonRequired: false,
  },
  {
    name: 'schedule_handover',
    from: ['in_transit'],
    to: 'handover_scheduled',
    roles: CASE_STAFF,
    guards: ['handover_appointment_set'],
    notifications: ['family.handover_scheduled'],
    reasonRequired: false,
  },
  {
    name: 'complete_handover',
    from: ['handover_scheduled'],
    to: 'handed_over',
    roles: CASE_STAFF,
    guards: ['handover_record_confirmed'],
    notifications: [],
    reasonRequired: false,
  },
  {
    name: 'close_not_found',
    from: ['received', 'gathering_information', 'verifying'],
    to: 'closed_not_found',
    roles: CASE_STAFF,
    guards: [],
    notifications: ['family.case_closed'],
    reasonRequired: true,
  },
  {
    name: 'close_withdrawn',
    from: ALL_OPEN,
    to: 'closed_withdrawn',
    roles: CASE_STAFF,
    guards: [],
    notifications: ['family.case_closed'],
    reasonRequired: true,
  },
  {
    name: 'close_rejected',
    from: ['verifying'],
    to: 'closed_rejected',
    roles: CASE_STAFF,
    guards: ['inquirer_verification_failed'],
    notifications: ['family.verification_outcome', 'family.case_closed'],
    reasonRequired: true,
  },
  {
    name: 'close_declined_by_prisoner',
    from: ['detention_confirmed', 'travel_planning'],
    to: 'closed_declined_by_prisoner',
    roles: CASE_STAFF,
    guards: ['prisoner_refused'],
    notifications: ['family.case_closed'],
    reasonRequired: true,
  },
  {
    name: 'close_duplicate',
    from: ALL_OPEN,
    to: 'closed_duplicate',
    roles: ['supervisor'],
    guards: [],
    notifications: [],
    reasonRequired: true,
  },
  {
    name: 'hold',
    from: ALL_OPEN,
    to: 'on_hold',
    roles: CASE_STAFF,
    guards: [],
    notifications: [],
    reasonRequired: true,
  },
  {
    name: 'resume',
    from: ['on_hold'],
    to: 'previous',
    roles: CASE_STAFF,
    guards: [],
    notifications: [],
    reasonRequired: false,
  },
  {
    name: 'reopen',
    from: CLOSED_STATES,
    to: 'gathering_information',
    roles: ['supervisor'],
    guards: [],
    notifications: [],
    reasonRequired: true,
  },
];

export interface ResolvedTransition {
  rule: TransitionRule;
  to: InquiryState;
}

// The transitions leaving `status`, with `previous` resolved against the inquiry's history.
export function transitionsFrom(
  status: InquiryState,
  previousStatus: InquiryState | null,
): ResolvedTransition[] {
  return TRANSITIONS.filter((rule) => rule.from.includes(status)).flatMap((rule) => {
    const to = rule.to === 'previous' ? previousStatus : rule.to;
    return to ? [{ rule, to }] : [];
  });
}
