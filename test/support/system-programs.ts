import { describe, it } from '@jest/globals';
import { existsSync } from 'node:fs';

export interface Program {
  path?: string;
  // Registers, in place of the suite, what the run should say about it: under CI a failing test
  // (CI installs every program, so its absence is a broken set-up); elsewhere a skipped test whose
  // title names the program and the command that installs it (the summary line repeats it).
  reportMissing(suite: string, install: string): void;
}

// A system program a suite needs (chromium, dovecot): $<NAME>_PATH, else the usual places.
export function findProgram(name: string, candidates: string[]): Program {
  const fromEnv = process.env[`${name.toUpperCase()}_PATH`];
  const path = [fromEnv, ...candidates].find((p): p is string => Boolean(p && existsSync(p)));
  return {
    path,
    reportMissing(suite, install) {
      describe(suite, () => {
        if (process.env.CI) {
          it(`needs ${name}, which is not installed`, () => {
            throw new Error(`${name} is not installed; .ci/run installs it with: ${install}`);
          });
        } else {
          it.skip(`not run: ${name} is not installed — install it with: ${install}`, () =>
            undefined);
        }
      });
    },
  };
}
