// Shared with the admin UI (admin/src imports this file): plain constants, no imports.
export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

export const CALL_OUTCOMES = [
  'answered',
  'no_answer',
  'busy',
  'voicemail',
  'wrong_number',
  'other',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

// Exchanges with a family that have no door of their own: a visit in person, a letter on paper
// (email, calls and the channels to come keep their own records).
export const MESSAGE_CHANNELS = ['in_person', 'paper_letter'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
