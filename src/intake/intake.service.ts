import { Injectable, Logger } from '@nestjs/common';
import { markEmailUndeliverable } from '../inquiries/family-addresses.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { Metrics } from '../metrics/metrics.service.js';
import { AppConfig } from '../config/app-config.js';
import type { AuditAction } from '../audit/audit-actions.js';
import {
  InquiryOpening,
  type Arrived,
  type OpeningInput,
} from '../inquiries/inquiry-opening.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import type { InspectedAttachment } from './attachments.js';
import { headlineOf } from './broken-mime.js';
import type { IntakeOutcome } from './inbound-email.entity.js';
import {
  DECIDED_COLUMNS,
  DECIDED_PLACEHOLDERS,
  KEEP_ATTACHMENTS,
  STORE,
  ANSWERED,
} from './intake.sql.js';
import {
  prepareMessage,
  type Classification,
  type Facts,
  type Hint,
  type Prepared,
  type PrepareOptions,
} from './prepare.js';
import { MailParser } from './mail-parser.js';

const INTAKE: ActorContext = { actor: 'system:intake' };
const REFERENCE = /\[(HC-\d{4}-\d{6,})\]/;

function decidedValues(facts: Facts, decision: Decision, hints: readonly Hint[]): unknown[] {
  return [
    facts.messageId,
    facts.inReplyTo,
    facts.references,
    facts.fromAddress,
    facts.fromName,
    facts.subject,
    facts.text,
    facts.language,
    decision.outcome,
    decision.inquiryId,
    decision.needsReview,
    decision.reason,
    facts.html,
    facts.authentication,
    hints,
  ];
}

// The same bytes are stored already.
class AlreadyStored extends Error {}

// Another run decided the message first.
class Superseded extends Error {
  constructor(readonly outcome: IntakeOutcome) {
    super('decided by another run');
  }
}

const reasonOf = (step: string, error: unknown) =>
  `${step}: ${(error as Error).message ?? String(error)}`.slice(0, 500);

interface Decision {
  outcome: IntakeOutcome;
  inquiryId: string | null;
  needsReview: boolean;
  reason: string | null;
}

// Mail in, the same for both doors (the webhook, IMAP): parsed, classified, threaded onto a case
// or opening one, and stored — raw bytes and decision in one transaction with the audit events
// and the caseworker's notification (see receive()). A message that breaks a step is still
// stored, quarantined with its error. The same message delivered again is the same row.
@Injectable()
export class IntakeService {
  private readonly logger = new Logger('Intake');
  private readonly prepareOptions: PrepareOptions;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly metrics: Metrics,
    private readonly opening: InquiryOpening,
    parser: MailParser,
  ) {
    this.prepareOptions = {
      parse: (raw) => parser.parse(raw),
      domain: config.mail.domain,
      ourAddresses: ourAddressesOf(config),
      authservIds: config.intake.authservIds,
      limits: {
        maxCount: config.intake.maxAttachments,
        maxBytes: config.intake.maxAttachmentBytes,
      },
    };
  }

  // One transaction stores the raw bytes (first) and what the pipeline made of them: either
  // both are kept or neither, and the door that brought the message still holds it then (the
  // webhook's caller has no 202; the IMAP folder's last UID has not moved) and brings it again.
  // A message the pipeline fails on is stored all the same, quarantined with the step and error.
  async receive(
    raw: Buffer,
    source: string,
  ): Promise<{ id: string; outcome: IntakeOutcome; duplicate: boolean }> {
    const result = await this.store(raw, source);
    if (!result.duplicate) this.count(source, result.outcome);
    return result;
  }

  private count(source: string, outcome: IntakeOutcome): void {
    this.metrics.intake.inc({ door: source.split(':')[0], outcome });
  }

  private async store(
    raw: Buffer,
    source: string,
  ): Promise<{ id: string; outcome: IntakeOutcome; duplicate: boolean }> {
    const { sha256, contentSha256, messageId, prepared, failed } = await prepareMessage(
      raw,
      this.prepareOptions,
    );
    let reason = failed && `${failed.step}: ${failed.error}`.slice(0, 500);
    if (prepared) {
      try {
        const id = randomUUID();
        return await this.dataSource.transaction(async (manager) => {
          const decision = await this.decide(manager, id, raw, prepared.kind, prepared.facts);
          // Written once, decided: one statement. The same message stored already — the same
          // bytes, or the same Message-ID and body come by another path — (or by a concurrent
          // run, whose commit this waits for) rolls this run's work back.
          const [stored] = await STORE.run(manager, [
            id,
            source,
            raw,
            sha256,
            contentSha256,
            raw.length,
            ...decidedValues(prepared.facts, decision, prepared.hints),
          ]);
          if (!stored) throw new AlreadyStored();
          await this.keepAttachments(manager, id, prepared.attachments);
          return { id, outcome: decision.outcome, duplicate: false };
        });
      } catch (error) {
        if (error instanceof AlreadyStored) {
          return { ...(await this.known(sha256, messageId, contentSha256)), duplicate: true };
        }
        reason = reasonOf('thread', error);
      }
    }
    const stored = await this.storeQuarantined(raw, source, reason!, sha256, prepared?.facts);
    if (!stored) {
      return { ...(await this.known(sha256, messageId, contentSha256)), duplicate: true };
    }
    this.logger.warn(`inbound ${stored} quarantined at ${reason!.split(':')[0]}`);
    return { id: stored, outcome: 'quarantined', duplicate: false };
  }

  // The stored message this one is the same as.
  private async known(sha256: string, messageId: string | null, contentSha256: string) {
    const [known] = (await this.dataSource.query(
      `SELECT id, outcome FROM inbound_email
       WHERE sha256 = $1 OR (message_id = $2 AND content_sha256 = $3)
       ORDER BY received_at LIMIT 1`,
      [sha256, messageId, contentSha256],
    )) as { id: string; outcome: IntakeOutcome }[];
    return known;
  }

  // A message that could not be fetched whole (too large): what there is of it (its headers) is
  // kept in the quarantine with the reason and the size of the whole, for a person to deal with.
  // (Its size above the bytes kept is how the quarantine knows it cannot be run again.)
  async quarantineUnfetched(
    partial: Buffer,
    source: string,
    reason: string,
    sizeBytes: number,
  ): Promise<void> {
    await this.storeQuarantined(partial, source, reason, undefined, undefined, sizeBytes);
  }

  // Stored as it is, quarantined with the reason and what can be read of who sent it and about
  // what (the parser's, else the raw headers'); its id, or undefined when the same bytes are
  // stored already.
  private async storeQuarantined(
    raw: Buffer,
    source: string,
    reason: string,
    sha256 = createHash('sha256').update(raw).digest('hex'),
    facts?: Facts,
    sizeBytes = raw.length,
  ): Promise<string | undefined> {
    const headline = facts
      ? { fromAddress: facts.fromAddress, subject: facts.subject }
      : headlineOf(raw);
    const [stored] = (await this.dataSource.query(
      `INSERT INTO inbound_email (source, raw, sha256, size_bytes, outcome, reason, processed_at,
         from_address, subject)
       VALUES ($1, $2, $3, $4, 'quarantined', $5, now(), $6, $7)
       ON CONFLICT (sha256) DO NOTHING RETURNING id`,
      [
        source,
        raw,
        sha256,
        sizeBytes,
        reason.slice(0, 500),
        headline.fromAddress,
        headline.subject,
      ],
    )) as { id: string }[];
    return stored?.id;
  }

  // Messages stored but never decided (see IntakeSweeper): taken up again. Runs
  // where the mail sender runs; safe with replicas (one run's decision is recorded; see process()).
  async sweepOnce(olderThanMs = 60_000): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM inbound_email WHERE outcome = 'received'
         AND received_at < now() - $1 * interval '1 millisecond'
       ORDER BY received_at LIMIT 100`,
      [olderThanMs],
    )) as { id: string }[];
    for (const row of rows) this.count('sweeper', await this.process(row.id));
    return rows.length;
  }

  // Runs the pipeline again on a stored message that is still `from` (received: its process
  // died before deciding, from an earlier version that stored first; quarantined: a supervisor
  // asks again). Run twice at once, one run's decision is recorded and the other's is rolled
  // back. Never throws: a failure quarantines the message with the step that failed.
  async process(id: string, from: IntakeOutcome = 'received'): Promise<IntakeOutcome> {
    let reason: string;
    try {
      const [{ raw }] = (await this.dataSource.query(
        `SELECT raw FROM inbound_email WHERE id = $1`,
        [id],
      )) as { raw: Buffer }[];
      const { prepared, failed } = await prepareMessage(raw, this.prepareOptions);
      if (prepared) {
        return await this.dataSource.transaction((manager) =>
          this.record(manager, id, raw, prepared, from),
        );
      }
      reason = `${failed!.step}: ${failed!.error}`.slice(0, 500);
    } catch (error) {
      if (error instanceof Superseded) return error.outcome;
      reason = reasonOf('thread', error);
    }
    const [, quarantined] = (await this.dataSource.query(
      `UPDATE inbound_email SET outcome = 'quarantined', reason = $2, processed_at = now(),
         from_address = coalesce(from_address, $4), subject = coalesce(subject, $5)
       WHERE id = $1 AND outcome = $3`,
      [id, reason, from, ...(await this.headlineOfStored(id))],
    )) as [unknown, number];
    if (quarantined === 0) return this.outcomeOf(id);
    this.logger.warn(`inbound ${id} quarantined at ${reason.split(':')[0]}`);
    return 'quarantined';
  }

  // Decides and records, in the caller's transaction. Recorded only if no other run decided
  // first (the sweeper and a supervisor, two replicas): else Superseded is thrown, this run's
  // work rolls back and the other's outcome stands. The row is not locked up front, which would
  // cost every message a round trip.
  private async record(
    manager: EntityManager,
    id: string,
    raw: Buffer,
    { facts, attachments, kind, hints }: Prepared,
    from: IntakeOutcome,
  ): Promise<IntakeOutcome> {
    const decision = await this.decide(manager, id, raw, kind, facts);
    const [, recorded] = (await manager.query(
      `UPDATE inbound_email SET (${DECIDED_COLUMNS}) = (${DECIDED_PLACEHOLDERS(3)})
       WHERE id = $1 AND outcome = $2`,
      [id, from, ...decidedValues(facts, decision, hints)],
    )) as [unknown, number];
    if (recorded === 0) throw new Superseded(await this.outcomeOf(id));
    await this.keepAttachments(manager, id, attachments);
    return decision.outcome;
  }

  private async headlineOfStored(id: string): Promise<[string | null, string | null]> {
    const [row] = (await this.dataSource.query(`SELECT raw FROM inbound_email WHERE id = $1`, [
      id,
    ])) as { raw: Buffer }[];
    if (!row) return [null, null];
    const headline = headlineOf(row.raw);
    return [headline.fromAddress, headline.subject];
  }

  private async outcomeOf(id: string): Promise<IntakeOutcome> {
    const [row] = (await this.dataSource.query(`SELECT outcome FROM inbound_email WHERE id = $1`, [
      id,
    ])) as { outcome: IntakeOutcome }[];
    return row.outcome;
  }

  // What becomes of a message. Only mailing lists and our own mail come back end unseen; an
  // automatic answer or a letter that reaches no case and cannot open one waits for a person
  // (review). A letter from someone the case does not know is attached for review, whatever
  // way it found the case, and gets no automatic answer.
  private async decide(
    manager: EntityManager,
    id: string,
    raw: Buffer,
    kind: Classification,
    facts: Facts,
  ): Promise<Decision> {
    const ignored = (reason: string): Decision => ({
      outcome: 'ignored',
      inquiryId: null,
      needsReview: false,
      reason,
    });
    const review = (reason: string): Decision => ({
      outcome: 'review',
      inquiryId: null,
      needsReview: true,
      reason,
    });
    if (kind === 'loop') return ignored('our own message came back');
    if (kind === 'list') return ignored('mailing list');
    if (kind === 'bounce') return this.bounce(manager, id, raw);
    // The case it belongs to, or a new one for a family's first letter (not for an automatic
    // reply, nor for a letter without a sender): the inquiries module's one way in.
    const arrived = await this.opening.openOrAttach(manager, {
      email: facts.fromAddress,
      reference: REFERENCE.exec(facts.subject ?? '')?.[1] ?? null,
      answers: await this.answered(manager, facts),
      open: kind === 'auto_reply' || !facts.fromAddress ? null : this.openingOf(facts, INTAKE),
    });
    if (!arrived) {
      return review(kind === 'auto_reply' ? 'automatic reply to no case' : 'no sender address');
    }
    const action = kind === 'auto_reply' ? 'email.auto_reply' : 'email.received';
    await this.audited(manager, id, arrived.inquiryId, action, arrived.needsReview);
    if (kind !== 'auto_reply' && !arrived.opened) await this.notifyAssignee(manager, arrived);
    return {
      outcome: kind === 'auto_reply' ? 'auto_reply' : arrived.opened ? 'opened' : 'attached',
      inquiryId: arrived.inquiryId,
      needsReview: arrived.needsReview,
      reason: arrived.needsReview ? UNKNOWN_SENDER : null,
    };
  }

  // The case a Message-ID the letter answers is on: a letter of ours (the outbox), else one we
  // received on a case.
  private async answered(manager: EntityManager, facts: Facts): Promise<string | null> {
    const answered = [facts.inReplyTo, ...facts.references].filter((x): x is string => !!x);
    if (answered.length === 0) return null;
    return (
      (await this.outbox.caseOfLetters(manager, answered)) ??
      (await ANSWERED.run(manager, [answered]))[0]?.inquiry_id ??
      null
    );
  }

  // A new inquiry from a letter a person took out of the review queue (IntakeReviewService), in
  // their transaction: opened as a first letter is, on their name.
  async openReviewed(
    manager: EntityManager,
    facts: Pick<Facts, 'fromName' | 'fromAddress' | 'language'>,
    actor: ActorContext,
  ): Promise<string> {
    return (await this.opening.openInTransaction(manager, this.openingOf(facts, actor))).inquiry.id;
  }

  // A family's first letter opens a case through the one way inquiries are opened: the person as
  // the message names them (or the known person whose address it is), in `received`, channel
  // email, acknowledged like any other.
  private openingOf(
    facts: Pick<Facts, 'fromName' | 'fromAddress' | 'language'>,
    actor: ActorContext,
  ): OpeningInput {
    const name = facts.fromName?.trim() || facts.fromAddress!.split('@')[0];
    return {
      person: {
        fullName: name.slice(0, 200),
        phones: [],
        emails: [facts.fromAddress!],
        preferredLanguage: facts.language === 'other' ? 'ru' : facts.language,
      },
      relationship: 'other',
      channel: 'email',
      soughtPerson: null,
      actor,
      trustAddress: true,
    };
  }

  // A delivery report: the message of ours it reports on (its Message-ID quoted in the report)
  // is marked failed with the reason, on its case's timeline.
  private async bounce(manager: EntityManager, id: string, raw: Buffer): Promise<Decision> {
    const domain = this.config.mail.domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const ours = raw.toString('latin1').match(new RegExp(`<[^<>\\s]+@${domain}>`, 'gi')) ?? [];
    const hit = await this.outbox.markBounced(manager, ours);
    // A report comes from a server, never from the family: on their case, for review.
    if (!hit?.inquiryId) {
      return {
        outcome: 'bounce',
        inquiryId: null,
        needsReview: false,
        reason: 'not about our mail',
      };
    }
    const address = await markEmailUndeliverable(manager, hit.inquiryId, recipientOfReport(raw));
    await this.audit.appendInTransaction(manager, {
      action: 'mail.bounced',
      actor: INTAKE,
      entityType: 'outbox_message',
      entityId: hit.id,
      inquiryId: hit.inquiryId,
      after: { report: id, undeliverable: address !== null },
    });
    return { outcome: 'bounce', inquiryId: hit.inquiryId, needsReview: true, reason: null };
  }

  // Listed, kept or not, in one statement per attachment (the bytes go as parameters).
  // Every attachment listed, kept or not, in one statement (a column per array).
  private async keepAttachments(
    manager: EntityManager,
    id: string,
    attachments: InspectedAttachment[],
  ): Promise<void> {
    if (attachments.length === 0) return;
    const column = <K extends keyof InspectedAttachment>(key: K) => attachments.map((a) => a[key]);
    await KEEP_ATTACHMENTS.run(manager, [
      id,
      column('position'),
      column('filename'),
      column('declaredType'),
      column('sniffedType'),
      column('sizeBytes'),
      column('sha256'),
      column('stored'),
      column('blocked'),
      column('reason'),
    ]);
  }

  private async audited(
    manager: EntityManager,
    id: string,
    inquiryId: string,
    action: AuditAction,
    needsReview: boolean,
  ): Promise<void> {
    await this.audit.appendInTransaction(manager, {
      action,
      actor: INTAKE,
      entityType: 'inbound_email',
      entityId: id,
      inquiryId,
      after: { needsReview },
    });
  }

  private async notifyAssignee(manager: EntityManager, thread: Arrived): Promise<void> {
    if (!thread.assignedTo) return;
    await this.outbox.enqueueInTransaction(manager, [
      {
        eventType: 'staff.new_email',
        inquiryId: thread.inquiryId,
        recipientKind: 'staff',
        recipientId: thread.assignedTo,
        payload: { reference: thread.reference },
      },
    ]);
  }
}

const UNKNOWN_SENDER = 'from an address the case does not know';

// Every address we send from or take mail at, lower case: our From, Reply-To, and the IMAP
// account when it is an address.
function ourAddressesOf(config: AppConfig): string[] {
  const addressOf = (value: string) => (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
  const addresses = [addressOf(config.mail.from), addressOf(config.mail.replyTo)];
  const user = config.intake.imap?.user;
  if (user?.includes('@')) addresses.push(user.toLowerCase());
  return [...new Set(addresses)];
}

// The address a delivery report says failed (RFC 3464: Final-Recipient, else Original-Recipient).
function recipientOfReport(raw: Buffer): string | null {
  const text = raw.toString('latin1');
  const named = (/^Final-Recipient:\s*rfc822\s*;\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(text) ??
    /^Original-Recipient:\s*rfc822\s*;\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(text))?.[1];
  return named?.toLowerCase() ?? null;
}
