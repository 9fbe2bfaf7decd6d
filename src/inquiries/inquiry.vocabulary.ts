// Shared with the admin UI (admin/src imports this file): plain constants, no imports.
export const CHANNELS = ['phone', 'email', 'web', 'in_person'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PRIORITIES = ['normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
