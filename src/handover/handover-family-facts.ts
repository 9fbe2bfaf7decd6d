import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FamilyFactsRegistry } from '../disclosure/family-facts.registry.js';
import type { AppointmentDetails, FamilyLanguage } from '../disclosure/family-view.js';

const COLUMNS: Record<FamilyLanguage, { name: string; instructions: string }> = {
  uk: { name: 'name_uk', instructions: 'instructions_uk' },
  ru: { name: 'name_ru', instructions: 'instructions_ru' },
  en: { name: 'name_en', instructions: 'instructions_en' },
};

// The appointment in Kyiv as the family may know it, read by the disclosure gate (only once
// detention may be disclosed): the place in their language, how to find it, the time.
@Injectable()
export class HandoverFamilyFacts implements OnModuleInit {
  constructor(private readonly facts: FamilyFactsRegistry) {}

  onModuleInit(): void {
    this.facts.provide('appointment', (manager, id, language) =>
      this.appointment(manager, id, language),
    );
  }

  private async appointment(
    manager: EntityManager,
    inquiryId: string,
    language: FamilyLanguage,
  ): Promise<AppointmentDetails | undefined> {
    const columns = COLUMNS[language];
    const [a] = (await manager.query(
      `SELECT a.scheduled_at, l.address, l.${columns.name} AS place,
         l.${columns.instructions} AS instructions
       FROM handover_appointment a JOIN handover_location l ON l.id = a.location_id
       WHERE a.inquiry_id = $1 AND a.state = 'scheduled'`,
      [inquiryId],
    )) as { scheduled_at: Date; address: string; place: string; instructions: string }[];
    return a
      ? { at: a.scheduled_at, place: a.place, address: a.address, instructions: a.instructions }
      : undefined;
  }
}
