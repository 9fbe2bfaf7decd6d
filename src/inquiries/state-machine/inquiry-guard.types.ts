import type { EntityManager } from 'typeorm';
import type { ActorContext } from '../../common/request-context.js';

// Conditions a transition may require. Each is implemented by the module that owns the facts
// (verification, registry, travel, handover) and registered with InquiryGuardRegistry at start-up;
// until one is registered, the transitions that need it stay blocked with its description.
export const GUARD_DESCRIPTIONS = {
  sought_person_details_complete:
    "the sought person's surname, given name and year of birth are recorded",
  inquirer_verified:
    "the inquirer's identity and relationship are verified and signed by two different staff members",
  prisoner_match_confirmed: 'a registry match for the sought person is confirmed',
  prisoner_consents_to_return: 'the prisoner has consented to return with the family',
  inquirer_verification_failed:
    "a verification of the inquirer's identity or relationship failed and was countersigned",
  prisoner_refused:
    'the prisoner refused disclosure to this inquirer or return with the family, after an interview',
  travel_plan_complete: 'the travel plan has a border crossing, dates and an escort',
  handover_appointment_set: 'a handover appointment in Kyiv is set',
  handover_record_confirmed:
    'the handover record is complete and confirmed by a second staff member',
  // The disclosure gate's answer (src/disclosure): also what lets family notices about detention go.
  detention_disclosure_allowed:
    'the inquirer is verified and the prisoner has consented to being disclosed to them',
} as const;

export type GuardId = keyof typeof GUARD_DESCRIPTIONS;

export interface GuardContext {
  // The caller's transaction: guards read what they need inside it.
  manager: EntityManager;
  inquiryId: string;
  actor: ActorContext;
}

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

export interface InquiryGuard {
  readonly id: GuardId;
  check(context: GuardContext): Promise<GuardVerdict>;
}
