import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { PreparedStatement, entityColumns, toEntity } from '../database/prepared-statement.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { Inquirer, type Language, type Relationship } from '../people/inquirer.entity.js';
import {
  ADD_CONTACTS_SQL,
  resolvePerson,
  type PersonMatch,
  type PersonSuggestion,
} from '../people/person-resolution.js';
import { SoughtPerson } from '../people/sought-person.entity.js';
import { candidatesForNew, type DuplicateCandidate } from './inquiry-duplicates.service.js';
import { NEXT_REFERENCE_CTE } from './inquiry-reference.sql.js';
import { InquiryStatusHistory } from './inquiry-status-history.entity.js';
import { Inquiry, type Channel, type Priority } from './inquiry.entity.js';

// What a door knows of the person who asks.
export interface OpeningPerson {
  fullName: string;
  phones: string[];
  emails: string[];
  preferredLanguage: Language;
  country?: string | null;
  city?: string | null;
  notes?: string | null;
}

// What the family says of the man they seek (a first letter may say nothing yet).
export interface OpeningSoughtPerson {
  surname: string;
  givenName?: string | null;
  patronymic?: string | null;
  birthYear?: number | null;
  birthMonth?: number | null;
  birthDay?: number | null;
  placeOfBirth?: string | null;
  militaryUnit?: string | null;
  rank?: string | null;
  personalNumber?: string | null;
  mothersMaidenName?: string | null;
  fathersFirstName?: string | null;
  distinguishingMarks?: string | null;
}

export interface OpeningInput {
  person: OpeningPerson;
  relationship: Relationship;
  channel: Channel;
  priority?: Priority;
  soughtPerson: OpeningSoughtPerson | null;
  actor: ActorContext;
  // The door cannot know the name reliably (a letter's From): the address alone recognises.
  trustAddress?: boolean;
}

export interface Opened {
  inquiry: Inquiry;
  inquirer: Inquirer;
  soughtPerson: SoughtPerson | null;
  history: InquiryStatusHistory;
  person: { match: PersonMatch | null; suggestions: PersonSuggestion[] };
  possibleDuplicates: DuplicateCandidate[];
}

// The person (recognised, with any new contact added, or new), a search of its own, the inquiry
// (its reference from the sequence), the sought person and the first history row, with the
// possible duplicates by the man sought: one statement, the busiest write there is.
function openStatement(dataSource: DataSource): PreparedStatement {
  const duplicates = candidatesForNew({
    personId: '$25',
    phones: '$3',
    emails: '$4',
    surname: '$11',
    givenName: '$12',
    birthYear: '$14',
    birthMonth: '$15',
    birthDay: '$16',
  });
  return new PreparedStatement(
    'homecoming_inquiry_open_v3',
    `WITH known AS (${ADD_CONTACTS_SQL('$25', '$3', '$4')} RETURNING *),
     created AS (
       INSERT INTO inquirer (full_name, phones, emails, preferred_language, country, city, notes)
       SELECT $1, $3, $4, $5, $6, $7, $8 WHERE $25::uuid IS NULL RETURNING *),
     r AS (SELECT * FROM known UNION ALL SELECT * FROM created),
     s AS (INSERT INTO search DEFAULT VALUES RETURNING id),
     ${NEXT_REFERENCE_CTE},
     i AS (
       INSERT INTO inquiry (reference, channel, status, priority, inquirer_id, relationship,
         search_id)
       SELECT ref.reference, $9, 'received', $10, r.id, $2, s.id FROM r, ref, s RETURNING *),
     p AS (
       INSERT INTO sought_person (inquiry_id, surname, given_name, patronymic, birth_year,
         birth_month, birth_day, place_of_birth, military_unit, rank, personal_number,
         mothers_maiden_name, fathers_first_name, distinguishing_marks)
       SELECT i.id, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23
       FROM i WHERE $11::text IS NOT NULL RETURNING *),
     h AS (
       INSERT INTO inquiry_status_history (inquiry_id, status, entered_at, actor)
       SELECT i.id, i.status, i.created_at, $24 FROM i RETURNING *),
     ${duplicates.cte}
     SELECT CASE WHEN $11::text IS NULL THEN '[]'::jsonb ELSE ${duplicates.json} END
         AS "possibleDuplicates",
       ${entityColumns(dataSource, Inquirer, { alias: 'r', prefix: 'r' })},
       ${entityColumns(dataSource, Inquiry, { alias: 'i', prefix: 'i' })},
       ${entityColumns(dataSource, SoughtPerson, { alias: 'p', prefix: 'p' })},
       ${entityColumns(dataSource, InquiryStatusHistory, { alias: 'h', prefix: 'h' })}
     FROM r CROSS JOIN i CROSS JOIN h LEFT JOIN p ON true`,
  );
}

// The one way an inquiry is opened, whatever the door (the API, a family's first letter, the
// channels to come): the person recognised by THE rule (people/person-resolution.ts) and the
// match recorded, `received`, audited, and the family acknowledged through the disclosure gate.
@Injectable()
export class InquiryOpening {
  private readonly statement: PreparedStatement;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
  ) {
    this.statement = openStatement(dataSource);
  }

  async openInTransaction(manager: EntityManager, input: OpeningInput): Promise<Opened> {
    const { person: who, soughtPerson: sought, actor } = input;
    const resolution = await resolvePerson(manager, who, { trustAddress: input.trustAddress });
    const [row] = await this.statement.run(manager, [
      who.fullName,
      input.relationship,
      who.phones,
      who.emails,
      who.preferredLanguage,
      who.country ?? null,
      who.city ?? null,
      who.notes ?? null,
      input.channel,
      input.priority ?? 'normal',
      sought?.surname ?? null,
      sought?.givenName ?? null,
      sought?.patronymic ?? null,
      sought?.birthYear ?? null,
      sought?.birthMonth ?? null,
      sought?.birthDay ?? null,
      sought?.placeOfBirth ?? null,
      sought?.militaryUnit ?? null,
      sought?.rank ?? null,
      sought?.personalNumber ?? null,
      sought?.mothersMaidenName ?? null,
      sought?.fathersFirstName ?? null,
      sought?.distinguishingMarks ?? null,
      actor.actor,
      resolution.match?.personId ?? null,
    ]);
    const inquiry = toEntity(Inquiry, row, 'i');
    const inquirer = toEntity(Inquirer, row, 'r');
    await this.audit.appendInTransaction(manager, {
      action: 'inquiry.create',
      actor,
      entityType: 'inquiry',
      entityId: inquiry.id,
      inquiryId: inquiry.id,
      after: {
        reference: inquiry.reference,
        channel: inquiry.channel,
        status: inquiry.status,
        priority: inquiry.priority,
        relationship: inquiry.relationship,
      },
    });
    // Never silently: the case says whose record it joined and by what.
    if (resolution.match) {
      await this.audit.appendInTransaction(manager, {
        action: 'person.matched',
        actor,
        entityType: 'inquirer',
        entityId: inquirer.id,
        inquiryId: inquiry.id,
        after: { by: resolution.match.by },
      });
    }
    await this.gate.notify(manager, {
      inquiryId: inquiry.id,
      notice: 'family.acknowledgement',
      actor,
    });
    return {
      inquiry,
      inquirer,
      soughtPerson: row['p.id'] ? toEntity(SoughtPerson, row, 'p') : null,
      history: toEntity(InquiryStatusHistory, row, 'h'),
      person: resolution,
      possibleDuplicates: row.possibleDuplicates as DuplicateCandidate[],
    };
  }
}
