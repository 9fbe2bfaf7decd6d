// Shared with the admin UI (admin/src imports this file): plain constants, no imports.
export const RELATIONSHIPS = [
  'mother',
  'father',
  'wife',
  'husband',
  'sister',
  'brother',
  'daughter',
  'son',
  'grandmother',
  'grandfather',
  'other_relative',
  'other',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

// How a family wants to hear from us: letters by email, or a call (a staff member reads the
// notice out; it becomes a callback on the case). The channels to come join this list.
export const FAMILY_CHANNELS = ['email', 'phone'] as const;
export type FamilyChannel = (typeof FAMILY_CHANNELS)[number];

export const LANGUAGES = ['ru', 'uk', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
