import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { PreparedStatement, entityColumns, toEntity } from '../database/prepared-statement.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { Inquirer, type Language, type Relationship } from '../people/inquirer.entity.js';
import type { FamilyChannel } from '../people/people.vocabulary.js';
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
  // Email unless the door knows better (a caller who asks to be called back).
  preferredChannel?: FamilyChannel;
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

// A message from a family, as a channel brought it: how it names its case, if at all.
export interface Arrival {
  // The sender's address on the channel (a letter's From). The door has taken it apart.
  email: string | null;
  // A case reference the message quotes (a letter's subject: "[HC-2026-000123]").
  reference: string | null;
  // The case the channel's own thread says it answers (a reply to a letter of ours, or to one
  // received on a case): found by the channel in its own records.
  answers: string | null;
  // How to open a case when the message reaches none; null: it may not open one (an automatic
  // reply, say).
  open: OpeningInput | null;
}

export interface Arrived {
  inquiryId: string;
  opened: boolean;
  // Attached to a case whose family does not have this address, or to the latest of a person's
  // several open cases: a person decides.
  needsReview: boolean;
  reference: string;
  assignedTo: string | null;
}

// The case a message belongs to, the ways in order of precedence: the reference it quotes; the
// case its thread answers; the sender's person's latest open case (a person with more than one
// open case, a mother asking about two sons, gets it attached for review: which son is a
// person's call). And whether the sender is one of the case's family's addresses (else it is
// attached for review, however it found the case). Each branch reads by an index. A case whose
// personal data was removed takes no more messages: a family writing again starts a new one.
const ATTACH = new PreparedStatement<Omit<Arrived, 'opened'>>(
  'homecoming_inquiry_attach_v1',
  `SELECT t.inquiry_id AS "inquiryId",
     (NOT (coalesce($2::text, '') = ANY(i.emails)) OR t.ambiguous) AS "needsReview",
     i.reference, i.assigned_to AS "assignedTo"
  FROM (
    (SELECT i.id AS inquiry_id, 1 AS rank, false AS ambiguous FROM inquiry i WHERE i.reference = $1)
    UNION ALL
    (SELECT $3::uuid, 2, false WHERE $3::uuid IS NOT NULL)
    UNION ALL
    (SELECT c.id, 3, c.open_cases > 1 FROM inquirer r
     CROSS JOIN LATERAL (SELECT id, created_at, count(*) OVER () AS open_cases FROM inquiry
       WHERE inquirer_id = r.id AND status NOT LIKE 'closed_%' AND status <> 'handed_over'
       ORDER BY created_at DESC LIMIT 1) c
     WHERE r.emails @> ARRAY[$2::text] AND r.merged_into IS NULL
     ORDER BY c.created_at DESC LIMIT 1)
  ) t
  CROSS JOIN LATERAL (SELECT c.reference, c.assigned_to, r.emails FROM inquiry c
                      JOIN inquirer r ON r.id = c.inquirer_id
                      WHERE c.id = t.inquiry_id AND c.pseudonymised_at IS NULL OFFSET 0) i
  ORDER BY t.rank LIMIT 1`,
);

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
    'homecoming_inquiry_open_v5',
    `WITH known AS (${ADD_CONTACTS_SQL('$25', '$3', '$4')} RETURNING *),
     created AS (
       INSERT INTO inquirer (full_name, phones, emails, preferred_language, country, city, notes,
         preferred_channel)
       SELECT $1, $3, $4, $5, $6, $7, $8, $26 WHERE $25::uuid IS NULL RETURNING *),
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

  // THE way a family's message finds its case, whatever the channel: attached to the case it
  // names or answers, or to its sender's open one, or a new case opened for it (when the channel
  // may open one), in the caller's transaction; null when it reaches none and may not open one.
  // One sender's messages are decided one after another, whichever door or replica brought
  // them: two first letters at once open one case, and the second joins it.
  async openOrAttach(manager: EntityManager, arrival: Arrival): Promise<Arrived | null> {
    if (arrival.email) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `intake-sender:${arrival.email}`,
      ]);
    }
    const [found] = await ATTACH.run(manager, [arrival.reference, arrival.email, arrival.answers]);
    if (found) return { ...found, opened: false };
    if (!arrival.open) return null;
    const { inquiry } = await this.openInTransaction(manager, arrival.open);
    return {
      inquiryId: inquiry.id,
      opened: true,
      needsReview: false,
      reference: inquiry.reference,
      assignedTo: inquiry.assignedTo,
    };
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
      who.preferredChannel ?? 'email',
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
        after: { by: resolution.match.by, verified: resolution.match.verified },
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
