import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  AppointmentDetails,
  CaseFacts,
  FamilyLanguage,
  IdentityFacts,
  JourneyDetails,
} from './family-view.js';

// Where the modules that own the facts plug in their readers (inquiries: the case and the
// family; identity: verification and consent; travel: the journey; handover: the appointment),
// so that the gate depends on none of them. Each reads inside the caller's transaction. Fail
// closed: without the identity reader nothing is disclosed; without the others no detail is.
export interface FamilyFactReaders {
  cases(manager: EntityManager, inquiryIds: readonly string[]): Promise<Map<string, CaseFacts>>;
  identity(
    manager: EntityManager,
    inquiryIds: readonly string[],
  ): Promise<Map<string, IdentityFacts>>;
  journey(
    manager: EntityManager,
    inquiryId: string,
    language: FamilyLanguage,
  ): Promise<JourneyDetails | undefined>;
  appointment(
    manager: EntityManager,
    inquiryId: string,
    language: FamilyLanguage,
  ): Promise<AppointmentDetails | undefined>;
}

@Injectable()
export class FamilyFactsRegistry {
  private readonly readers: Partial<FamilyFactReaders> = {};

  provide<K extends keyof FamilyFactReaders>(kind: K, reader: FamilyFactReaders[K]): void {
    if (this.readers[kind]) throw new Error(`family facts "${kind}" are provided twice`);
    this.readers[kind] = reader;
  }

  cases(manager: EntityManager, ids: readonly string[]): Promise<Map<string, CaseFacts>> {
    const reader = this.readers.cases;
    if (!reader) throw new Error('no reader of cases is registered with the disclosure gate');
    return reader(manager, ids);
  }

  async identity(manager: EntityManager, ids: readonly string[]) {
    return (await this.readers.identity?.(manager, ids)) ?? new Map<string, IdentityFacts>();
  }

  async journey(manager: EntityManager, id: string, language: FamilyLanguage) {
    return this.readers.journey?.(manager, id, language);
  }

  async appointment(manager: EntityManager, id: string, language: FamilyLanguage) {
    return this.readers.appointment?.(manager, id, language);
  }
}
