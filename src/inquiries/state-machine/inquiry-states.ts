// Every status an inquiry can have. DESIGN.md "The inquiry state machine".
export const OPEN_STATES = [
  'received',
  'gathering_information',
  'verifying',
  'detention_confirmed',
  'travel_planning',
  'in_transit',
  'handover_scheduled',
] as const;

export const CLOSED_STATES = [
  'closed_not_found',
  'closed_withdrawn',
  'closed_rejected',
  'closed_declined_by_prisoner',
  'closed_duplicate',
] as const;

export const INQUIRY_STATES = [...OPEN_STATES, 'on_hold', 'handed_over', ...CLOSED_STATES] as const;

// Where a case ends: handed over, or closed one way or another (retention runs from here).
export const FINAL_STATES = ['handed_over', ...CLOSED_STATES] as const;

export type OpenState = (typeof OPEN_STATES)[number];
export type ClosedState = (typeof CLOSED_STATES)[number];
export type InquiryState = (typeof INQUIRY_STATES)[number];

export const isOpen = (s: InquiryState): s is OpenState =>
  (OPEN_STATES as readonly string[]).includes(s);
export const isClosed = (s: InquiryState): s is ClosedState =>
  (CLOSED_STATES as readonly string[]).includes(s);
