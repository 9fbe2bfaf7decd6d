import type { InquiryState } from '../inquiries/state-machine/inquiry-states.js';
import type { FamilyChannel } from '../people/people.vocabulary.js';

// What the family may be told of a case, and the facts it is made from. Pure: the gate reads the
// facts (each from the module that owns them) and every channel renders only the view.

export const FAMILY_STAGES = [
  'received',
  'in_progress',
  'detention_confirmed',
  'travel_planning',
  'in_transit',
  'handover_scheduled',
  'handed_over',
  'closed',
] as const;
export type FamilyStage = (typeof FAMILY_STAGES)[number];

// How a closed case is explained. Before disclosure, "not found" and "he declined" are the same
// `no_information`: a refusal must read exactly like the absence of any record.
export const CLOSINGS = [
  'no_information',
  'withdrawn',
  'not_verified',
  'duplicate',
  'declined_return',
] as const;
export type Closing = (typeof CLOSINGS)[number];

export const FAMILY_LANGUAGES = ['ru', 'uk', 'en'] as const;
export type FamilyLanguage = (typeof FAMILY_LANGUAGES)[number];

export type ConsentState = 'given' | 'refused' | 'withdrawn';

// From the inquiries module: the case and the family as recorded.
export interface CaseFacts {
  inquiryId: string;
  reference: string;
  status: InquiryState;
  inquirerId: string;
  inquirerName: string;
  language: string;
  emails: string[];
  undeliverableEmails: string[];
  phones: string[];
  // How the family wants to hear from us.
  preferredChannel: FamilyChannel;
  soughtPersonName: string;
}

// From the identity module: the latest countersigned verification of the family, and the
// prisoner's latest decisions (about the prisoner of the case's confirmed match).
export interface IdentityFacts {
  verification: 'verified' | 'failed' | null;
  disclosureConsent: ConsentState | null;
  handoverConsent: ConsentState | null;
}

export const NO_IDENTITY_FACTS: IdentityFacts = {
  verification: null,
  disclosureConsent: null,
  handoverConsent: null,
};

// From the disclosure module's own record: the addresses the family had when it was verified,
// and those a supervisor approved since. Null before any verification.
export interface TrustFacts {
  trustedEmails: readonly string[] | null;
  trustedPhones: readonly string[] | null;
}

// The journey and the handover as the family may know them, in their language (travel and
// handover modules). Only read once detention may be disclosed.
export interface JourneyDetails {
  crossingName: string | null;
  crossingAddress: string | null;
  crossingAt: Date | null;
  entryIntoPoland: string | null;
  escortName: string | null;
  escortPhone: string | null;
  originCity: string | null;
  originCountry: string | null;
  travellers: {
    isInquirer: boolean;
    fullName: string;
    relationship: string | null;
    documentKind: string;
    documentLast4: string;
    // The family member's own number only; a companion's is someone else's data.
    documentNumber?: string;
  }[];
}

export interface AppointmentDetails {
  at: Date;
  place: string;
  address: string;
  instructions: string;
}

// Where a letter may go now: the first address that has not bounced and, once the family is
// verified, that was theirs then or was approved since. `missing` says why there is none.
export interface Recipient {
  channel: FamilyChannel;
  // An email address, or a phone number (E.164) for a call.
  address: string | null;
  missing: 'no_address' | 'all_bounced' | 'contact_unconfirmed' | null;
}

export interface FamilyView {
  inquiryId: string;
  // Whom the case's letters are addressed to (an id, never shown).
  inquirerId: string;
  reference: string;
  language: FamilyLanguage;
  inquirerName: string;
  // As the family described him: their own words.
  soughtPersonName: string;
  // The inquirer is verified and the prisoner agreed to be disclosed to them.
  disclosed: boolean;
  stage: FamilyStage;
  closing: Closing | null;
  recipient: Recipient;
  journey?: JourneyDetails;
  appointment?: AppointmentDetails;
}

// The stages a case's status shows as once detention may be disclosed. Before that every open
// status but `received` is `in_progress`.
const DISCLOSED_STAGES: Partial<Record<InquiryState, FamilyStage>> = {
  detention_confirmed: 'detention_confirmed',
  travel_planning: 'travel_planning',
  in_transit: 'in_transit',
  handover_scheduled: 'handover_scheduled',
  handed_over: 'handed_over',
};

const CLOSING_OF: Partial<Record<InquiryState, Closing>> = {
  closed_not_found: 'no_information',
  closed_withdrawn: 'withdrawn',
  closed_rejected: 'not_verified',
  closed_duplicate: 'duplicate',
};

export function isDisclosed(identity: IdentityFacts): boolean {
  return identity.verification === 'verified' && identity.disclosureConsent === 'given';
}

function closingOf(status: InquiryState, disclosed: boolean): Closing | null {
  if (status === 'closed_declined_by_prisoner')
    return disclosed ? 'declined_return' : 'no_information';
  return CLOSING_OF[status] ?? null;
}

// Where the family's notices go: the channel they chose, and the first of their addresses on it
// that works and, once they are verified, that was trusted then (or approved since).
function recipientOf(facts: CaseFacts, trust: TrustFacts): Recipient {
  const channel = facts.preferredChannel;
  const [addresses, failed, trusted] =
    channel === 'phone'
      ? [facts.phones, [], trust.trustedPhones]
      : [facts.emails, facts.undeliverableEmails, trust.trustedEmails];
  if (addresses.length === 0) return { channel, address: null, missing: 'no_address' };
  const deliverable = addresses.filter((a) => !failed.includes(a));
  if (deliverable.length === 0) return { channel, address: null, missing: 'all_bounced' };
  const usable = trusted === null ? deliverable : deliverable.filter((a) => trusted.includes(a));
  if (usable.length === 0) return { channel, address: null, missing: 'contact_unconfirmed' };
  return { channel, address: usable[0], missing: null };
}

export function familyViewOf(
  facts: CaseFacts,
  identity: IdentityFacts,
  trust: TrustFacts,
): FamilyView {
  const disclosed = isDisclosed(identity);
  const closing = closingOf(facts.status, disclosed);
  const stage: FamilyStage = closing
    ? 'closed'
    : facts.status === 'received'
      ? 'received'
      : (disclosed && DISCLOSED_STAGES[facts.status]) || 'in_progress';
  return {
    inquiryId: facts.inquiryId,
    inquirerId: facts.inquirerId,
    reference: facts.reference,
    language: (FAMILY_LANGUAGES as readonly string[]).includes(facts.language)
      ? (facts.language as FamilyLanguage)
      : 'ru',
    inquirerName: facts.inquirerName,
    soughtPersonName: facts.soughtPersonName,
    disclosed,
    stage,
    closing,
    recipient: recipientOf(facts, trust),
  };
}
