import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SoughtPerson } from '../people/sought-person.entity.js';
import type {
  GuardContext,
  GuardVerdict,
  InquiryGuard,
} from './state-machine/inquiry-guard.types.js';
import { InquiryGuardRegistry } from './state-machine/inquiry-guard.registry.js';

// Verification can only start once we know whom to look for.
@Injectable()
export class SoughtPersonCompleteGuard implements InquiryGuard, OnModuleInit {
  readonly id = 'sought_person_details_complete' as const;

  constructor(private readonly registry: InquiryGuardRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check({ manager, inquiryId }: GuardContext): Promise<GuardVerdict> {
    const person = await manager.getRepository(SoughtPerson).findOneBy({ inquiryId });
    const missing = [
      !person?.surname && 'surname',
      !person?.givenName && 'given name',
      !person?.birthYear && 'year of birth',
    ].filter(Boolean);
    return missing.length === 0
      ? { ok: true }
      : { ok: false, reason: `The sought person's ${missing.join(', ')} must be recorded first.` };
  }
}
