// Every kind of notice homecoming sends a family, whatever the channel. Each one reaches the
// family only through the disclosure gate (disclosure.gate.ts), which decides from the family's
// view of the case whether it may go now; disclosure.policy.ts says what each may tell.
export const FAMILY_NOTICES = [
  'family.acknowledgement',
  'family.information_requested',
  'family.callback_scheduled',
  'family.verification_outcome',
  'family.detention_confirmed',
  'family.travel_instructions',
  'family.handover_scheduled',
  'family.case_closed',
  'family.message',
] as const;
export type FamilyNotice = (typeof FAMILY_NOTICES)[number];

export const isFamilyNotice = (event: string): event is FamilyNotice =>
  (FAMILY_NOTICES as readonly string[]).includes(event);
