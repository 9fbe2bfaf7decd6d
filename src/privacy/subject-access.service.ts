import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { simpleParser } from 'mailparser';
import { DataSource, type EntityManager } from 'typeorm';
import yazl from 'yazl';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';
import { familyStage } from '../status/status-links.service.js';
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
// documents' numbers, travel and travellers, the letters we sent, the emails they wrote (from
// their own addresses) with their attachments — and of each case only the stage a family may be
// told (the status page's rule): nothing in it discloses a detention the prisoner has not agreed
// to disclose. Staff's free-text notes are left out for that reason (a note may name a colony or
// a prisoner's refusal); a supervisor reviews and adds what may be given. Registry matches, the
// prisoner's consents and the staff's audit trail are not theirs and are not in it.
@Injectable()
export class SubjectAccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly guards: InquiryGuardRegistry,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  async export(inquirerId: string, actor: ActorContext): Promise<SubjectExport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [inquirer] = (await manager.query(
        `SELECT id, full_name AS "fullName", relationship, phones, emails,
           preferred_language AS "preferredLanguage", country, city, notes,
           created_at AS "createdAt", updated_at AS "updatedAt"
         FROM inquirer WHERE id = $1`,
        [inquirerId],
      )) as Record<string, unknown>[];
      if (!inquirer) throw notFound(inquirerId);
      const cases = (await manager.query(
        `SELECT id, reference, channel, status, created_at AS "createdAt",
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
          'their attachments in attachments/.',
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
    const disclosed = (
      await this.guards.check('detention_disclosure_allowed', {
        manager,
        inquiryId: c.id,
        actor: { actor: 'system:subject-access' },
      })
    ).ok;
    const stage = familyStage(c.status, disclosed);
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
    const callbacks = await q(
      `SELECT due_at AS "dueAt", window_minutes AS "windowMinutes", phone, state
       FROM callback WHERE inquiry_id = $1 ORDER BY due_at`,
    );
    const verifications = (
      await q<{ documents: { kind: string; numberSealed: string }[]; [k: string]: unknown }>(
        `SELECT method, outcome, verified_at AS "verifiedAt", documents,
           relationship_evidence AS "relationshipEvidence", answers
         FROM inquirer_verification WHERE inquiry_id = $1 ORDER BY verified_at`,
      )
    ).map((v) => ({
      ...v,
      documents: v.documents.map((d) => ({ kind: d.kind, number: this.box.open(d.numberSealed) })),
    }));
    // Travel exists once detention is confirmed; shown only where the family may know that.
    const travel =
      disclosed && stage !== 'closed'
        ? {
            plan: (
              await q(
                `SELECT origin_city AS "originCity", origin_country AS "originCountry",
                   planned_entry_into_poland AS "plannedEntryIntoPoland",
                   crossing_point_id AS "crossingPoint", planned_crossing_at AS "plannedCrossingAt"
                 FROM travel_plan WHERE inquiry_id = $1`,
              )
            )[0],
            travellers: (
              await q<{ sealed: string; [k: string]: unknown }>(
                `SELECT t.full_name AS "fullName", t.relationship, t.document_kind AS "documentKind",
                   t.document_number_sealed AS sealed
                 FROM traveller t JOIN travel_plan p ON p.id = t.travel_plan_id
                 WHERE p.inquiry_id = $1 ORDER BY t.position`,
              )
            ).map(({ sealed, ...t }) => ({
              ...t,
              documentNumber: sealed === '-' ? null : this.box.open(sealed),
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
      createdAt: c.createdAt,
      stage,
      pseudonymisedAt: c.pseudonymisedAt,
      soughtPerson,
      calls,
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
    inquirerId: string,
    reason: string,
    actor: ActorContext,
  ): Promise<{ cases: PseudonymisedCase[] }> {
    return this.dataSource.transaction(async (manager) => {
      const cases = (await manager.query(
        `SELECT id, reference, status, pseudonymised_at FROM inquiry WHERE inquirer_id = $1
         ORDER BY created_at FOR UPDATE`,
        [inquirerId],
      )) as { id: string; reference: string; status: string; pseudonymised_at: Date | null }[];
      if (cases.length === 0) throw notFound(inquirerId);
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

const notFound = (id: string) =>
  new DomainException('not_found', 'No such inquirer', { detail: `Inquirer ${id} not found.` });
