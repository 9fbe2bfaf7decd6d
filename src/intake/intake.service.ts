import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { createHash, randomUUID } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { NEXT_REFERENCE_CTE } from '../inquiries/inquiry-reference.sql.js';
import { OutboxService } from '../mail/outbox.service.js';
import { inspectAttachments, type InspectedAttachment } from './attachments.js';
import type { AuthenticationResults, IntakeOutcome } from './inbound-email.entity.js';
import { recoverRawCyrillic, split } from './raw-cyrillic.js';

const INTAKE: ActorContext = { actor: 'system:intake' };

// What intake needs of mailparser: the text as sent (no HTML made from it, no links found in it).
export const PARSE_OPTIONS = { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true };
const REFERENCE = /\[(HC-\d{4}-\d{6,})\]/;
const OUT_OF_OFFICE =
  /\b(out of (the )?office|automatic reply|auto-?reply|autoreply|vacation)\b|автоответ|автоматический ответ|нет на месте|в отпуске|автовідповідь|відсутн/i;

export type Classification = 'normal' | 'auto_reply' | 'bounce' | 'list' | 'loop';

export interface Facts {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  authentication: AuthenticationResults | null;
  language: 'ru' | 'uk' | 'en' | 'other';
}

// What the pipeline writes on a message's row, in this order (decidedValues).
const DECIDED_COLUMNS = `message_id, in_reply_to, "references", from_address, from_name, subject,
  text_body, language, outcome, inquiry_id, needs_review, reason, html_body, authentication,
  processed_at`;
const DECIDED_PLACEHOLDERS = (first: number) =>
  [...Array.from({ length: 14 }, (_, i) => `$${first + i}`), 'now()'].join(', ');

function decidedValues(facts: Facts, decision: Decision): unknown[] {
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

interface Prepared {
  facts: Facts;
  attachments: InspectedAttachment[];
  kind: Classification;
}

const reasonOf = (step: string, error: unknown) =>
  `${step}: ${(error as Error).message ?? String(error)}`.slice(0, 500);

interface Thread {
  inquiryId: string;
  needsReview: boolean;
  reference: string;
  assignedTo: string | null;
}

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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  // One transaction stores the raw bytes (first) and what the pipeline made of them: either
  // both are kept or neither, and the door that brought the message still holds it then (the
  // webhook's caller has no 202; the IMAP folder's last UID has not moved) and brings it again.
  // A message the pipeline fails on is stored all the same, quarantined with the step and error.
  async receive(
    raw: Buffer,
    source: string,
  ): Promise<{ id: string; outcome: IntakeOutcome; duplicate: boolean }> {
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const contentSha256 = createHash('sha256').update(split(raw).body).digest('hex');
    const at = { step: 'parse' };
    let messageId: string | null = null;
    try {
      const prepared = await this.prepare(raw, at);
      messageId = prepared.facts.messageId;
      at.step = 'thread';
      const id = randomUUID();
      return await this.dataSource.transaction(async (manager) => {
        const decision = await this.decide(manager, id, raw, prepared.kind, prepared.facts);
        // Written once, decided: one statement. The same message stored already — the same
        // bytes, or the same Message-ID and body come by another path — (or by a concurrent
        // run, whose commit this waits for) rolls this run's work back.
        const [stored] = (await manager.query(
          `INSERT INTO inbound_email (id, source, raw, sha256, content_sha256, size_bytes,
             ${DECIDED_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, ${DECIDED_PLACEHOLDERS(7)})
           ON CONFLICT DO NOTHING RETURNING id`,
          [
            id,
            source,
            raw,
            sha256,
            contentSha256,
            raw.length,
            ...decidedValues(prepared.facts, decision),
          ],
        )) as { id: string }[];
        if (!stored) throw new AlreadyStored();
        await this.keepAttachments(manager, id, prepared.attachments);
        return { id, outcome: decision.outcome, duplicate: false };
      });
    } catch (error) {
      if (error instanceof AlreadyStored) {
        return { ...(await this.known(sha256, messageId, contentSha256)), duplicate: true };
      }
      const stored = await this.storeQuarantined(raw, source, reasonOf(at.step, error));
      if (!stored) {
        return { ...(await this.known(sha256, messageId, contentSha256)), duplicate: true };
      }
      this.logger.warn(`inbound ${stored} quarantined at ${at.step}`);
      return { id: stored, outcome: 'quarantined', duplicate: false };
    }
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
  // kept in the quarantine with the reason, for a person to deal with.
  async quarantineUnfetched(partial: Buffer, source: string, reason: string): Promise<void> {
    await this.storeQuarantined(partial, source, reason);
  }

  // Stored as it is, quarantined with the reason; its id, or undefined when the same bytes are
  // stored already.
  private async storeQuarantined(
    raw: Buffer,
    source: string,
    reason: string,
  ): Promise<string | undefined> {
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const [stored] = (await this.dataSource.query(
      `INSERT INTO inbound_email (source, raw, sha256, size_bytes, outcome, reason, processed_at)
       VALUES ($1, $2, $3, $4, 'quarantined', $5, now())
       ON CONFLICT (sha256) DO NOTHING RETURNING id`,
      [source, raw, sha256, raw.length, reason.slice(0, 500)],
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
    for (const row of rows) await this.process(row.id);
    return rows.length;
  }

  // Runs the pipeline again on a stored message that is still `from` (received: its process
  // died before deciding, from an earlier version that stored first; quarantined: a supervisor
  // asks again). Run twice at once, one run's decision is recorded and the other's is rolled
  // back. Never throws: a failure quarantines the message with the step that failed.
  async process(id: string, from: IntakeOutcome = 'received'): Promise<IntakeOutcome> {
    const at = { step: 'parse' };
    try {
      const [{ raw }] = (await this.dataSource.query(
        `SELECT raw FROM inbound_email WHERE id = $1`,
        [id],
      )) as { raw: Buffer }[];
      const prepared = await this.prepare(raw, at);
      at.step = 'thread';
      return await this.dataSource.transaction((manager) =>
        this.record(manager, id, raw, prepared, from),
      );
    } catch (error) {
      if (error instanceof Superseded) return error.outcome;
      const [, quarantined] = (await this.dataSource.query(
        `UPDATE inbound_email SET outcome = 'quarantined', reason = $2, processed_at = now()
         WHERE id = $1 AND outcome = $3`,
        [id, reasonOf(at.step, error), from],
      )) as [unknown, number];
      if (quarantined === 0) return this.outcomeOf(id);
      this.logger.warn(`inbound ${id} quarantined at ${at.step}`);
      return 'quarantined';
    }
  }

  // The work that needs no database: parse, attachments, classification.
  private async prepare(raw: Buffer, at: { step: string }): Promise<Prepared> {
    at.step = 'parse';
    const parsed = await simpleParser(raw, PARSE_OPTIONS);
    const facts = factsOf(parsed, raw);
    at.step = 'attachments';
    const attachments = await inspectAttachments(parsed.attachments, {
      maxCount: this.config.intake.maxAttachments,
      maxBytes: this.config.intake.maxAttachmentBytes,
    });
    at.step = 'classify';
    return { facts, attachments, kind: this.classify(parsed, facts) };
  }

  // Decides and records, in the caller's transaction. Recorded only if no other run decided
  // first (the sweeper and a supervisor, two replicas): else Superseded is thrown, this run's
  // work rolls back and the other's outcome stands. The row is not locked up front, which would
  // cost every message a round trip.
  private async record(
    manager: EntityManager,
    id: string,
    raw: Buffer,
    { facts, attachments, kind }: Prepared,
    from: IntakeOutcome,
  ): Promise<IntakeOutcome> {
    const decision = await this.decide(manager, id, raw, kind, facts);
    const [, recorded] = (await manager.query(
      `UPDATE inbound_email SET (${DECIDED_COLUMNS}) = (${DECIDED_PLACEHOLDERS(3)})
       WHERE id = $1 AND outcome = $2`,
      [id, from, ...decidedValues(facts, decision)],
    )) as [unknown, number];
    if (recorded === 0) throw new Superseded(await this.outcomeOf(id));
    await this.keepAttachments(manager, id, attachments);
    return decision.outcome;
  }

  private async outcomeOf(id: string): Promise<IntakeOutcome> {
    const [row] = (await this.dataSource.query(`SELECT outcome FROM inbound_email WHERE id = $1`, [
      id,
    ])) as { outcome: IntakeOutcome }[];
    return row.outcome;
  }

  classify(parsed: ParsedMail, facts: Facts): Classification {
    const header = (name: string) => {
      const value = parsed.headers.get(name);
      if (value === undefined || value === null) return undefined;
      return typeof value === 'string' ? value : JSON.stringify(value);
    };
    const domain = this.config.mail.domain;
    if (facts.messageId?.toLowerCase().endsWith(`@${domain}>`)) return 'loop';
    const contentType = parsed.headers.get('content-type') as
      { value?: string; params?: Record<string, string> } | undefined;
    const localPart = facts.fromAddress?.split('@')[0] ?? '';
    if (
      (contentType?.value === 'multipart/report' &&
        contentType.params?.['report-type']?.toLowerCase() === 'delivery-status') ||
      /^(mailer-daemon|postmaster)$/i.test(localPart)
    ) {
      return 'bounce';
    }
    const autoSubmitted = header('auto-submitted')?.toLowerCase();
    const precedence = header('precedence')?.toLowerCase();
    if (
      (autoSubmitted && autoSubmitted !== 'no') ||
      header('x-autoreply') !== undefined ||
      header('x-autorespond') !== undefined ||
      (precedence && /^(bulk|junk|auto_reply)$/.test(precedence)) ||
      OUT_OF_OFFICE.test(facts.subject ?? '')
    ) {
      return 'auto_reply';
    }
    if (header('list-id') !== undefined || precedence === 'list') return 'list';
    return 'normal';
  }

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
    if (kind === 'loop') return ignored('our own message came back');
    if (kind === 'list') return ignored('mailing list');
    if (kind === 'bounce') return this.bounce(manager, id, raw);
    const thread = await this.thread(manager, facts);
    if (kind === 'auto_reply') {
      if (!thread) return ignored('automatic reply to no case');
      await this.audited(manager, id, thread.inquiryId, 'email.auto_reply', false);
      return {
        outcome: 'auto_reply',
        inquiryId: thread.inquiryId,
        needsReview: false,
        reason: null,
      };
    }
    if (thread) {
      await this.audited(manager, id, thread.inquiryId, 'email.received', thread.needsReview);
      await this.notifyAssignee(manager, thread);
      return {
        outcome: 'attached',
        inquiryId: thread.inquiryId,
        needsReview: thread.needsReview,
        reason: thread.needsReview ? 'case reference from an address the case does not know' : null,
      };
    }
    if (!facts.fromAddress) return ignored('no sender address');
    const inquiryId = await this.open(manager, facts);
    await this.audited(manager, id, inquiryId, 'email.received', false);
    return { outcome: 'opened', inquiryId, needsReview: false, reason: null };
  }

  // The case a message belongs to: the reference in its subject; else a Message-ID it answers
  // (ours, or one we received on a case); else the sender's open inquiry.
  private async thread(manager: EntityManager, facts: Facts): Promise<Thread | undefined> {
    const answered = [facts.inReplyTo, ...facts.references].filter((x): x is string => !!x);
    // One statement, the three ways in order of precedence; each branch reads by an index.
    const [hit] = (await manager.query(
      `SELECT t.inquiry_id, t.needs_review, i.reference, i.assigned_to
       FROM (
         (SELECT i.id AS inquiry_id, NOT ($2::text = ANY(r.emails)) AS needs_review, 1 AS rank
          FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id WHERE i.reference = $1)
         UNION ALL
         (SELECT inquiry_id, false, 2 FROM outbox_message
          WHERE message_id = ANY($3::text[]) AND inquiry_id IS NOT NULL LIMIT 1)
         UNION ALL
         (SELECT inquiry_id, false, 3 FROM inbound_email
          WHERE message_id = ANY($3::text[]) AND inquiry_id IS NOT NULL LIMIT 1)
         UNION ALL
         (SELECT i.id, false, 4 FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
          WHERE r.emails @> ARRAY[$2::text] AND i.status NOT LIKE 'closed_%'
            AND i.status <> 'handed_over'
          ORDER BY i.created_at DESC LIMIT 1)
       ) t JOIN inquiry i ON i.id = t.inquiry_id
       ORDER BY t.rank LIMIT 1`,
      [REFERENCE.exec(facts.subject ?? '')?.[1] ?? null, facts.fromAddress ?? '', answered],
    )) as {
      inquiry_id: string;
      needs_review: boolean;
      reference: string;
      assigned_to: string | null;
    }[];
    if (!hit) return undefined;
    return {
      inquiryId: hit.inquiry_id,
      needsReview: hit.needs_review,
      reference: hit.reference,
      assignedTo: hit.assigned_to,
    };
  }

  // A new inquiry from a family's first letter: the inquirer as the message names them, in
  // `received`, channel email, acknowledged like any other.
  private async open(manager: EntityManager, facts: Facts): Promise<string> {
    const name = facts.fromName?.trim() || facts.fromAddress!.split('@')[0];
    const language = facts.language === 'other' ? 'ru' : facts.language;
    const [row] = (await manager.query(
      `WITH r AS (
         INSERT INTO inquirer (full_name, relationship, emails, preferred_language)
         VALUES ($1, 'other', ARRAY[$2::text], $3) RETURNING id, preferred_language),
       ${NEXT_REFERENCE_CTE},
       i AS (
         INSERT INTO inquiry (reference, channel, status, inquirer_id)
         SELECT ref.reference, 'email', 'received', r.id FROM r, ref
         RETURNING id, reference, created_at),
       h AS (
         INSERT INTO inquiry_status_history (inquiry_id, status, entered_at, actor)
         SELECT i.id, 'received', i.created_at, $4 FROM i)
       SELECT i.id, i.reference, r.id AS inquirer_id FROM i, r`,
      [name.slice(0, 200), facts.fromAddress, language, INTAKE.actor],
    )) as { id: string; reference: string; inquirer_id: string }[];
    await this.outbox.enqueueInTransaction(manager, [
      {
        eventType: 'family.acknowledgement',
        inquiryId: row.id,
        recipientKind: 'inquirer',
        recipientId: row.inquirer_id,
        payload: { reference: row.reference, language },
      },
    ]);
    await this.audit.appendInTransaction(manager, {
      action: 'inquiry.create',
      actor: INTAKE,
      entityType: 'inquiry',
      entityId: row.id,
      inquiryId: row.id,
      after: { reference: row.reference, channel: 'email', status: 'received' },
    });
    return row.id;
  }

  // A delivery report: the message of ours it reports on (its Message-ID quoted in the report)
  // is marked failed with the reason, on its case's timeline.
  private async bounce(manager: EntityManager, id: string, raw: Buffer): Promise<Decision> {
    const domain = this.config.mail.domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const ours = raw.toString('latin1').match(new RegExp(`<[^<>\\s]+@${domain}>`, 'gi')) ?? [];
    const [hit] = ours.length
      ? (
          (await manager.query(
            `UPDATE outbox_message SET state = 'failed', last_error = 'bounced: the receiving server reported it undeliverable'
           WHERE message_id = ANY($1) AND state = 'sent' RETURNING id, inquiry_id`,
            [ours],
          )) as [{ id: string; inquiry_id: string | null }[], number]
        )[0]
      : [];
    if (!hit?.inquiry_id) {
      return {
        outcome: 'bounce',
        inquiryId: null,
        needsReview: false,
        reason: 'not about our mail',
      };
    }
    const address = await this.markUndeliverable(manager, hit.inquiry_id, raw);
    await this.audit.appendInTransaction(manager, {
      action: 'mail.bounced',
      actor: INTAKE,
      entityType: 'outbox_message',
      entityId: hit.id,
      inquiryId: hit.inquiry_id,
      after: { report: id, undeliverable: address !== null },
    });
    return { outcome: 'bounce', inquiryId: hit.inquiry_id, needsReview: false, reason: null };
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
    await manager.query(
      `INSERT INTO inbound_attachment (inbound_email_id, position, filename, declared_type,
         sniffed_type, size_bytes, sha256, stored, blocked, reason)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[],
         $7::text[], $8::boolean[], $9::boolean[], $10::text[])`,
      [
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
      ],
    );
  }

  // The address the report names (Final-Recipient, else Original-Recipient), when it is one of
  // the case's inquirer's; else the one our mail went to (the first not yet undeliverable).
  // Returns the address marked, or null when there was none to mark.
  private async markUndeliverable(
    manager: EntityManager,
    inquiryId: string,
    raw: Buffer,
  ): Promise<string | null> {
    const text = raw.toString('latin1');
    const named = (/^Final-Recipient:\s*rfc822\s*;\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(text) ??
      /^Original-Recipient:\s*rfc822\s*;\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(
        text,
      ))?.[1]?.toLowerCase();
    const [row] = (await manager.query(
      `UPDATE inquirer r SET undeliverable_emails = array_append(r.undeliverable_emails, chosen.address)
       FROM (
         SELECT r2.id, coalesce(
           (SELECT e FROM unnest(r2.emails) e WHERE e = $2),
           (SELECT e FROM unnest(r2.emails) WITH ORDINALITY AS x(e, n)
             WHERE e <> ALL(r2.undeliverable_emails) ORDER BY n LIMIT 1)) AS address
         FROM inquiry i JOIN inquirer r2 ON r2.id = i.inquirer_id WHERE i.id = $1
       ) chosen
       WHERE r.id = chosen.id AND chosen.address IS NOT NULL
         AND chosen.address <> ALL(r.undeliverable_emails)
       RETURNING chosen.address`,
      [inquiryId, named ?? ''],
    )) as [{ address: string }[], number];
    return row[0]?.address ?? null;
  }

  private async audited(
    manager: EntityManager,
    id: string,
    inquiryId: string,
    action: string,
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

  private async notifyAssignee(manager: EntityManager, thread: Thread): Promise<void> {
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

function firstAddress(field: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  for (const group of list) {
    for (const entry of group.value) {
      if (entry.address) return { address: entry.address.toLowerCase(), name: entry.name || null };
    }
  }
  return undefined;
}

// Ukrainian if it has letters Russian lacks; Russian if Cyrillic; English if Latin letters.
export function guessLanguage(text: string): Facts['language'] {
  if (/[іїєґ]/i.test(text)) return 'uk';
  if (/[а-яё]/i.test(text)) return 'ru';
  if (/[a-z]/i.test(text)) return 'en';
  return 'other';
}

// PostgreSQL text cannot hold NUL; some broken messages carry it.
const noNul = (s: string) => s.replaceAll('\u0000', '');

export function factsOf(parsed: ParsedMail, raw: Buffer): Facts {
  const from = firstAddress(parsed.from);
  const recovered = recoverRawCyrillic(raw, {
    subject: parsed.subject,
    fromName: from?.name,
    text: parsed.text,
  });
  const references = Array.isArray(parsed.references)
    ? parsed.references
    : parsed.references
      ? [parsed.references]
      : [];
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const plain =
    recovered.text ??
    (parsed.text?.trim() ? parsed.text : html ? htmlToText(html, { wordwrap: false }) : '');
  const text = noNul(plain).slice(0, 100_000) || null;
  return {
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    references: references.slice(0, 50),
    fromAddress: from?.address ?? null,
    fromName: (recovered.fromName ?? from?.name) ? noNul(recovered.fromName ?? from!.name!) : null,
    subject:
      (recovered.subject ?? parsed.subject) ? noNul(recovered.subject ?? parsed.subject!) : null,
    text,
    html: html ? noNul(sanitizeHtml(html, SANITIZE)).slice(0, 500_000) || null : null,
    authentication: authenticationOf(parsed),
    language: guessLanguage(`${recovered.subject ?? parsed.subject ?? ''} ${text ?? ''}`),
  };
}

// Safe to show in the case's page: no scripts, styles, forms, frames or images (remote images
// tell the sender the mail was read); links open elsewhere and carry no referrer.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'img'),
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

// The topmost Authentication-Results header: the one the receiving server added. Headers
// further down came with the message and prove nothing.
function authenticationOf(parsed: ParsedMail): AuthenticationResults | null {
  const line = parsed.headerLines.find((h) => h.key === 'authentication-results')?.line;
  if (!line) return null;
  const value = line
    .replace(/^[^:]*:/, '')
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  const result = (method: string) =>
    new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, 'i').exec(value)?.[1].toLowerCase() ??
    null;
  return {
    server: value.split(';')[0].trim().split(/\s+/)[0].slice(0, 200),
    spf: result('spf'),
    dkim: result('dkim'),
    dmarc: result('dmarc'),
  };
}
