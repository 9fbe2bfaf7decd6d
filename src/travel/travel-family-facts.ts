import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box.js';
import { FamilyFactsRegistry } from '../disclosure/family-facts.registry.js';
import type { FamilyLanguage, JourneyDetails } from '../disclosure/family-view.js';

const NAME_COLUMN: Record<FamilyLanguage, string> = { uk: 'name_uk', ru: 'name_ru', en: 'name_en' };

// The journey as the family may know it, read by the disclosure gate (only once detention may
// be disclosed): crossing in their language, dates, escort, the travellers (a companion's
// document by its last four only).
@Injectable()
export class TravelFamilyFacts implements OnModuleInit {
  constructor(
    private readonly facts: FamilyFactsRegistry,
    private readonly box: SecretBox,
  ) {}

  onModuleInit(): void {
    this.facts.provide('journey', (manager, id, language) => this.journey(manager, id, language));
  }

  private async journey(
    manager: EntityManager,
    inquiryId: string,
    language: FamilyLanguage,
  ): Promise<JourneyDetails | undefined> {
    const [plan] = (await manager.query(
      `SELECT p.id, p.planned_entry_into_poland::text AS entry, p.planned_crossing_at AS crossing_at,
         p.escort_name, p.escort_phone, p.origin_city, p.origin_country, c.address,
         c.${NAME_COLUMN[language]} AS crossing
       FROM travel_plan p LEFT JOIN border_crossing c ON c.id = p.crossing_point_id
       WHERE p.inquiry_id = $1`,
      [inquiryId],
    )) as {
      id: string;
      entry: string | null;
      crossing_at: Date | null;
      escort_name: string | null;
      escort_phone: string | null;
      origin_city: string | null;
      origin_country: string | null;
      address: string | null;
      crossing: string | null;
    }[];
    if (!plan) return undefined;
    const travellers = (await manager.query(
      `SELECT is_inquirer, full_name, relationship, document_kind, document_last4,
         document_number_sealed
       FROM traveller WHERE travel_plan_id = $1 ORDER BY position`,
      [plan.id],
    )) as {
      is_inquirer: boolean;
      full_name: string;
      relationship: string | null;
      document_kind: string;
      document_last4: string;
      document_number_sealed: string;
    }[];
    return {
      crossingName: plan.crossing,
      crossingAddress: plan.address,
      crossingAt: plan.crossing_at,
      entryIntoPoland: plan.entry,
      escortName: plan.escort_name,
      escortPhone: plan.escort_phone,
      originCity: plan.origin_city,
      originCountry: plan.origin_country,
      travellers: travellers.map((t) => ({
        isInquirer: t.is_inquirer,
        fullName: t.full_name,
        relationship: t.relationship,
        documentKind: t.document_kind,
        documentLast4: t.document_last4,
        ...(t.is_inquirer && t.document_number_sealed !== '-'
          ? { documentNumber: this.box.open(t.document_number_sealed) }
          : {}),
      })),
    };
  }
}
