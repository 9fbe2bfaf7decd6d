import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { FamilyFactsRegistry } from '../disclosure/family-facts.registry.js';
import type { CaseFacts } from '../disclosure/family-view.js';
import { PreparedStatement } from '../database/prepared-statement.js';
import type {
  GuardContext,
  GuardVerdict,
  InquiryGuard,
} from './state-machine/inquiry-guard.types.js';
import { InquiryGuardRegistry } from './state-machine/inquiry-guard.registry.js';

const CASES = new PreparedStatement(
  'homecoming_family_case_facts_v2',
  `SELECT i.id AS "inquiryId", i.reference, i.status, r.id AS "inquirerId",
     r.full_name AS "inquirerName", r.preferred_language AS language, r.emails,
     r.undeliverable_emails AS "undeliverableEmails", r.phones,
     r.preferred_channel AS "preferredChannel",
     coalesce(hc_full_name(p.surname, p.given_name, p.patronymic), '') AS "soughtPersonName"
   FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
   LEFT JOIN sought_person p ON p.inquiry_id = i.id
   WHERE i.id = ANY($1::uuid[])`,
);

// What the disclosure gate reads of a case from this module: its status, the family and the man
// as they described him. And the state machine's view of the gate: the guard that says whether
// detention may be disclosed is the gate's own answer.
@Injectable()
export class InquiryFamilyFacts implements InquiryGuard, OnModuleInit {
  readonly id = 'detention_disclosure_allowed' as const;

  constructor(
    private readonly facts: FamilyFactsRegistry,
    private readonly gate: DisclosureGate,
    private readonly guards: InquiryGuardRegistry,
  ) {}

  onModuleInit(): void {
    this.facts.provide('cases', (manager, ids) => this.cases(manager, ids));
    this.guards.register(this);
  }

  async check({ manager, inquiryId }: GuardContext): Promise<GuardVerdict> {
    return (await this.gate.isDisclosed(manager, inquiryId))
      ? { ok: true }
      : {
          ok: false,
          reason: 'The inquirer must be verified and the prisoner must have agreed to disclosure.',
        };
  }

  private async cases(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, CaseFacts>> {
    const rows = (await CASES.run(manager, [ids])) as CaseFacts[];
    return new Map(rows.map((r) => [r.inquiryId, r]));
  }
}
