import { startDovecot as start, type Dovecot } from '../../scripts/dovecot.mjs';
import { findProgram, type Program } from './system-programs.js';

export type { Dovecot };

export const dovecotProgram: Program = findProgram('dovecot', ['/usr/sbin/dovecot']);

// A real Dovecot on 127.0.0.1 in a temporary folder (scripts/dovecot.mjs).
export function startDovecot(): Promise<Dovecot> {
  if (!dovecotProgram.path)
    throw new Error('dovecot is not installed (apt-get install dovecot-imapd)');
  return start(dovecotProgram.path);
}
