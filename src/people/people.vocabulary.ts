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

export const LANGUAGES = ['ru', 'uk', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
