import { Injectable } from '@nestjs/common';
import {
  GUARD_DESCRIPTIONS,
  type GuardContext,
  type GuardId,
  type GuardVerdict,
  type InquiryGuard,
} from './inquiry-guard.types.js';

// Where the modules that own the facts plug in their guards (verification, registry, travel,
// handover register theirs at start-up). The machine's table still reads in one place; a guard
// nobody has registered blocks, saying what is missing.
@Injectable()
export class InquiryGuardRegistry {
  private readonly guards = new Map<GuardId, InquiryGuard>();

  register(guard: InquiryGuard): void {
    if (this.guards.has(guard.id)) throw new Error(`guard ${guard.id} is registered twice`);
    this.guards.set(guard.id, guard);
  }

  // Puts `guard` in the place of the registered one: for the property test, which drives the
  // machine down every path by switching guards on and off at random.
  standIn(guard: InquiryGuard): void {
    this.guards.set(guard.id, guard);
  }

  async check(id: GuardId, context: GuardContext): Promise<GuardVerdict> {
    const guard = this.guards.get(id);
    if (!guard)
      return { ok: false, reason: `Needs: ${GUARD_DESCRIPTIONS[id]} (not available yet).` };
    return guard.check(context);
  }
}
