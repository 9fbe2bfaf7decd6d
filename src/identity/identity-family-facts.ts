import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FamilyFactsRegistry } from '../disclosure/family-facts.registry.js';
import type { ConsentState, IdentityFacts } from '../disclosure/family-view.js';
import { PreparedStatement } from '../database/prepared-statement.js';

// The latest countersigned verification; the latest decision of each kind about the prisoner of
// the confirmed match (a decision about a prisoner the case is no longer matched to counts for
// nothing).
const FACTS = new PreparedStatement(
  'homecoming_family_identity_facts_v1',
  `SELECT c.id,
     (SELECT v.outcome FROM inquirer_verification v
      WHERE v.inquiry_id = c.id AND v.countersigned_by IS NOT NULL
      ORDER BY v.countersigned_at DESC LIMIT 1) AS verification,
     (SELECT p.decision FROM prisoner_consent p
      JOIN inquiry_match m ON m.inquiry_id = p.inquiry_id AND m.prisoner_id = p.prisoner_id
        AND m.state = 'confirmed'
      WHERE p.inquiry_id = c.id AND p.kind = 'disclosure'
      ORDER BY p.recorded_at DESC LIMIT 1) AS disclosure,
     (SELECT p.decision FROM prisoner_consent p
      JOIN inquiry_match m ON m.inquiry_id = p.inquiry_id AND m.prisoner_id = p.prisoner_id
        AND m.state = 'confirmed'
      WHERE p.inquiry_id = c.id AND p.kind = 'handover'
      ORDER BY p.recorded_at DESC LIMIT 1) AS handover
   FROM unnest($1::uuid[]) AS c(id)`,
);

// What the disclosure gate reads of identity from this module.
@Injectable()
export class IdentityFamilyFacts implements OnModuleInit {
  constructor(private readonly facts: FamilyFactsRegistry) {}

  onModuleInit(): void {
    this.facts.provide('identity', (manager, ids) => this.read(manager, ids));
  }

  private async read(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, IdentityFacts>> {
    const rows = (await FACTS.run(manager, [ids])) as {
      id: string;
      verification: 'verified' | 'failed' | null;
      disclosure: ConsentState | null;
      handover: ConsentState | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.id,
        {
          verification: r.verification,
          disclosureConsent: r.disclosure,
          handoverConsent: r.handover,
        },
      ]),
    );
  }
}
