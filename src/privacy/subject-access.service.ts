import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { simpleParser } from 'mailparser';
import { DataSource, type EntityManager } from 'typeorm';
import yazl from 'yazl';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import { personNotFound, personOf } from '../people/person-resolution.js';
import { FINAL_STATES, Pseudonymiser, type PseudonymisedCase } from './pseudonymiser.js';

export interface SubjectExport {
  filename: string;
  zip: NodeJS.ReadableStream;
}

// A family's rights over what we hold about them: a copy of it (export) and its removal on
// request (erase). Both are supervisor work and both are audited.
//
// The export holds what the family gave us and what we recorded about them — their record, what
// they told us of the man they seek, when we called and were to call, verifications with their
// documents' numbers and their own answers, the letters we sent, the emails they wrote (from
// their own addresses) with their attachments — and of each case what the disclosure gate's
// family view says: the stage, how it closed, and the journey only where they may know of it.
// What it leaves out, and why, is listed in the file itself (LEFT_OUT).
export const LEFT_OUT: readonly { what: string; why: string }[] = [
  {
    what: "Staff members' notes and the reasons they recorded",
    why: 'a note may say what the family may not yet be told; a supervisor reviews them and adds what may be given',
  },
  {
    what: 'Registry matches, the registry’s record of the man, and his consents',
    why: 'they are the registry’s and his, not the family’s; the case’s stage says what the family may be told',
  },
  {
    what: 'Whether a verification answer agreed with the registry',
    why: 'it is a fact about the registry, not something the family gave',
  },
  {
    what: 'Travel companions’ document numbers (shown by their last four characters only)',
    why: 'they are other people’s data',
  },
  {
    what: 'Letters not yet sent or held back',
    why: 'the family has not received them',
  },
  {
    what: 'Emails on the case from addresses not the family’s own',
    why: 'they are someone else’s',
  },
  { what: 'The staff audit trail', why: 'it records staff work, not the family’s data' },
];
@Injectable()
export class SubjectAccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly gate: DisclosureGate,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  // Per person: a record merged into another is that person's (their survivor's) export.
  async export(id: string, actor: ActorContext): Promise<SubjectExport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const inquirerId = await personOf(manager, id);
      const [inquirer] = (await manager.query(
        `SELECT id, full_name AS "fullName", other_names AS "otherNames", phones, emails,
           preferred_language AS "preferredLanguage", country, city, notes,
           created_at AS "createdAt", updated_at AS "updatedAt"
         FROM inquirer WHERE id = $1`,
        [inquirerId],
      )) as Record<string, unknown>[];
      if (!inquirer) throw personNotFound(inquirerId);
      const cases = (await manager.query(
        `SELECT id, reference, channel, status, relationship, created_at AS "createdAt",
           pseudonymised_at AS "pseudonymisedAt"
         FROM inquiry WHERE inquirer_id = $1 ORDER BY created_at`,
        [inquirerId],
      )) as { id: string; reference: string; status: string; [k: string]: unknown }[];
      const zip = new yazl.ZipFile();
      const inquiries = [];
      for (const c of cases) inquiries.push(await this.caseOf(manager, c, zip));
      const document = {
        exportedAt: new Date().toISOString(),
        about:
          'Everything homecoming holds about this person. Emails they wrote are in emails/, ' +
          'their attachments in attachments/. What is left out, and why, is in leftOut.',
        leftOut: LEFT_OUT,
        inquirer,
        inquiries,
      };
      zip.addBuffer(Buffer.from(JSON.stringify(document, null, 2)), 'subject.json');
      zip.end();
      await this.audit.appendInTransaction(manager, {
        action: 'inquirer.export',
        actor,
        entityType: 'inquirer',
        entityId: inquirerId,
        after: { cases: cases.map((c) => c.reference) },
      });
      return { filename: `subject-${inquirerId}.zip`, zip: zip.outputStream };
    });
  }

  private async caseOf(
    manager: EntityManager,
    c: { id: string; reference: string; status: string; [k: string]: unknown },
    zip: yazl.ZipFile,
  ) {
    const q = <T = Record<string, unknown>>(sql: string) =>
      manager.query(sql, [c.id]) as Promise<T[]>;
    const view = await this.gate.view(manager, c.id, 'export');
    const [soughtPerson] = await q(
      `SELECT surname, given_name AS "givenName", patronymic, birth_year AS "birthYear",
         birth_month AS "birthMonth", birth_day AS "birthDay", place_of_birth AS "placeOfBirth",
         military_unit AS "militaryUnit", rank, personal_number AS "personalNumber",
         mothers_maiden_name AS "mothersMaidenName", fathers_first_name AS "fathersFirstName",
         distinguishing_marks AS "distinguishingMarks"
       FROM sought_person WHERE inquiry_id = $1`,
    );
    const calls = await q(
      `SELECT occurred_at AS "at", direction, duration_seconds AS "durationSeconds", outcome
       FROM call WHERE inquiry_id = $1 ORDER BY occurred_at`,
    );
    // Visits and letters on paper: when; the words only of a letter the family wrote (a visit's
    // record is a staff member's note).
    const messages = await q(
      `SELECT occurred_at AS "at", channel, direction,
         CASE WHEN channel = 'paper_letter' AND direction = 'inbound' THEN text END AS text
       FROM family_message WHERE inquiry_id = $1 ORDER BY occurred_at`,
    );
    const callbacks = await q(
      `SELECT due_at AS "dueAt", window_minutes AS "windowMinutes", phone, state
       FROM callback WHERE inquiry_id = $1 ORDER BY due_at`,
    );
    const verifications = (
      await q<{
        documents: { kind: string; numberSealed: string }[];
        answers: { question: string; answer: string }[];
        [k: string]: unknown;
      }>(
        `SELECT method, outcome, verified_at AS "verifiedAt", documents,
           relationship_evidence AS "relationshipEvidence", answers
         FROM inquirer_verification WHERE inquiry_id = $1 ORDER BY verified_at`,
      )
    ).map((v) => ({
      ...v,
      documents: v.documents.map((d) => ({ kind: d.kind, number: this.box.open(d.numberSealed) })),
      // What they answered; not whether the registry agreed.
      answers: v.answers.map((a) => ({ question: a.question, answer: a.answer })),
    }));
    // The journey as the family's view has it (only where they may know of it); a companion's
    // document by its last four characters.
    const journey = view?.journey;
    const travel = journey
      ? {
          originCity: journey.originCity,
          originCountry: journey.originCountry,
          plannedEntryIntoPoland: journey.entryIntoPoland,
          crossingPoint: journey.crossingName,
          plannedCrossingAt: journey.crossingAt,
          escort: journey.escortName,
          travellers: journey.travellers.map((t) => ({
            fullName: t.fullName,
            relationship: t.relationship,
            documentKind: t.documentKind,
            ...(t.isInquirer && t.documentNumber
              ? { documentNumber: t.documentNumber }
              : { documentNumberLast4: t.documentLast4 }),
          })),
        }
      : undefined;
    const letters = await q(
      `SELECT event_type AS "event", subject, sent_at AS "sentAt" FROM outbox_message
       WHERE inquiry_id = $1 AND recipient_kind = 'inquirer' AND state = 'sent' ORDER BY sent_at`,
    );
    // What the family wrote: mail from their own addresses (a third party's letter filed on the
    // case is not theirs to receive).
    const emails = (await manager.query(
      `SELECT e.id, e.received_at, e.raw, e.subject FROM inbound_email e
       JOIN inquiry i ON i.id = e.inquiry_id JOIN inquirer r ON r.id = i.inquirer_id
       WHERE e.inquiry_id = $1 AND octet_length(e.raw) > 0 AND e.from_address = ANY(r.emails)
       ORDER BY e.received_at`,
      [c.id],
    )) as { id: string; received_at: Date; raw: Buffer; subject: string | null }[];
    const received = [];
    for (const email of emails) {
      const name = `${c.reference}-${email.received_at.toISOString().replace(/[:.]/g, '-')}`;
      zip.addBuffer(email.raw, `emails/${name}.eml`);
      const parsed = await simpleParser(email.raw);
      const attachments = parsed.attachments.map((a, i) => {
        const file = `attachments/${name}/${i + 1}-${(a.filename ?? 'attachment').replace(/[/\\]/g, '_')}`;
        zip.addBuffer(a.content, file);
        return file;
      });
      received.push({
        receivedAt: email.received_at,
        subject: email.subject,
        file: `emails/${name}.eml`,
        attachments,
      });
    }
    return {
      reference: c.reference,
      channel: c.channel,
      relationship: c.relationship,
      createdAt: c.createdAt,
      stage: view?.stage ?? 'closed',
      ...(view?.closing ? { closing: view.closing } : {}),
      pseudonymisedAt: c.pseudonymisedAt,
      soughtPerson,
      calls,
      messages,
      callbacks,
      verifications,
      ...(travel ? { travel } : {}),
      lettersSent: letters,
      emailsReceived: received,
    };
  }

  // Erasure on request: allowed once every case of the family has ended (a case in progress is
  // a son still being sought or brought home; its data is needed for that). Then each case is
  // pseudonymised as retention would, and the family's record with the last of them.
  async erase(
    id: string,
    reason: string,
    actor: ActorContext,
  ): Promise<{ cases: PseudonymisedCase[] }> {
    return this.dataSource.transaction(async (manager) => {
      const inquirerId = await personOf(manager, id);
      const cases = (await manager.query(
        `SELECT id, reference, status, pseudonymised_at FROM inquiry WHERE inquirer_id = $1
         ORDER BY created_at FOR UPDATE`,
        [inquirerId],
      )) as { id: string; reference: string; status: string; pseudonymised_at: Date | null }[];
      if (cases.length === 0) throw personNotFound(inquirerId);
      const open = cases.filter((c) => !FINAL_STATES.includes(c.status));
      if (open.length > 0) {
        throw new DomainException('erasure_not_allowed', 'Cases still in progress', {
          detail:
            `Erasure is possible once every case of this family has ended; in progress: ` +
            `${open.map((c) => c.reference).join(', ')}.`,
          extensions: { openCases: open.map((c) => c.reference) },
        });
      }
      const done: PseudonymisedCase[] = [];
      for (const c of cases.filter((c) => !c.pseudonymised_at)) {
        const result = await this.pseudonymiser.pseudonymise(
          c.id,
          { actor, action: 'inquiry.erase' },
          { manager },
        );
        if (result) done.push(result);
      }
      await this.audit.appendInTransaction(manager, {
        action: 'inquirer.erase',
        actor,
        entityType: 'inquirer',
        entityId: inquirerId,
        after: { cases: cases.map((c) => c.reference), reason },
      });
      return { cases: done };
    });
  }
}
