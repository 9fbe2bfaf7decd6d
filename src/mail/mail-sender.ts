import { FamilyChannels } from './family-channels.js';
import type { FamilyChannel } from '../people/people.vocabulary.js';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { Metrics } from '../metrics/metrics.service.js';
import { AppConfig } from '../config/app-config.js';
import { DisclosureGate, type NotSentReason, type Review } from '../disclosure/disclosure.gate.js';
import { HOLD_EXPLAINED } from '../disclosure/disclosure.policy.js';
import type { FamilyView } from '../disclosure/family-view.js';
import { StatusLinksService } from '../status/status-links.service.js';
import {
  MailRenderer,
  isAutomatic,
  isMailEvent,
  type MailData,
  type MailLanguage,
} from './mail-renderer.js';
import {
  MailTransport,
  createMailTransport,
  describeFailure,
  failureKind,
  type OutgoingMail,
} from './mail-transport.js';

const SENDER: ActorContext = { actor: 'system:mail' };
// Staff read their notifications in the language of the admin UI's users.
const STAFF_LANGUAGE: MailLanguage = 'uk';
// How many earlier messages a reply's References lists (RFC 5322 allows trimming the middle).
const REFERENCES_KEPT = 10;

// One claimed outbox row with what it takes to render and address it.
interface Claimed {
  id: string;
  event_type: string;
  inquiry_id: string | null;
  recipient_kind: 'inquirer' | 'staff';
  recipient_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  // This claim's own: a later claim of the same row (after the lease ran out, or a supervisor's
  // retry) has another, so a stale sender's outcome changes nothing.
  claim_token: string;
  // When the lease may have run out, by this process's clock (measured from before the claim).
  leaseEndsAt: number;
  message_id: string;
  // For staff notices: the case as staff know it. A family's letter is rendered from the
  // family's view alone (the disclosure gate's), never from these.
  reference: string | null;
  status: string | null;
  sought_person_name: string | null;
  staff_name: string | null;
  staff_email: string | null;
  sender_name: string | null;
  thread: string[] | null;
}

// How the last attempts to hand mail over went, for /health/ready: 'down' after a temporary
// failure (the server unreachable, 4xx), 'up' after a delivery or a permanent refusal of one
// recipient (the server answered), 'unknown' before the first attempt.
export interface MailTransportStatus {
  transport: string;
  state: 'up' | 'down' | 'unknown';
  since: string | null;
  lastError: string | null;
}

// An outcome that could not be recorded is tried again this often, until this long before the
// claim's lease runs out (after which another sender may take the row).
const RECORD_RETRY_MS = 500;
const LEASE_MARGIN_MS = 1_000;

// How soon a row is tried again after the SMTP server could not be reached at all.
const UNREACHABLE_RETRY_MS = 3_000;

// `code`: the disclosure gate's reason, when it is the gate that did not let a letter go.
type Outcome =
  | { kind: 'sent'; subject: string; channel: FamilyChannel }
  | { kind: 'retry' | 'failed' | 'unreachable'; error: string; subject?: string }
  | { kind: 'suppressed' | 'held'; error: string; code?: NotSentReason };

// Claims due outbox rows (FOR UPDATE SKIP LOCKED, under a lease, so any number of senders in any
// number of replicas share the work and never hold the same row), sends each, and records the
// outcome on the row and, for sent, failed and suppressed mail, on the case's audit trail (its
// timeline). Delivery is at least once: a sender that dies after the SMTP server accepted a
// message but before recording it leaves the row to be claimed again when its lease expires,
// and the retry carries the same Message-ID (see README, "Mail out").
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailSender');
  private readonly settings: AppConfig['mail']['worker'];
  private transport?: MailTransport;
  private running = false;
  // Every letter of the last round found the server unreachable.
  private lastRoundUnreachable = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private transportState: Omit<MailTransportStatus, 'transport'> = {
    state: 'unknown',
    since: null,
    lastError: null,
  };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly renderer: MailRenderer,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
    private readonly statusLinks: StatusLinksService,
    private readonly channels: FamilyChannels,
    private readonly metrics: Metrics,
  ) {
    this.settings = config.mail.worker;
  }

  onApplicationBootstrap(): void {
    if (!this.config.role.jobs) return;
    this.running = true;
    this.loop = this.run();
    this.logger.log(`sending mail through ${this.out().description}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.transport?.close();
  }

  status(): MailTransportStatus {
    return { transport: this.out().description, ...this.transportState };
  }

  private noteTransport(state: 'up' | 'down', error: string | null): void {
    if (state !== this.transportState.state) {
      if (state === 'down')
        this.logger.warn(`mail server down: ${error}; mail waits in the outbox`);
      else if (this.transportState.state === 'down') this.logger.log('mail server up again');
      this.transportState = { state, since: new Date().toISOString(), lastError: error };
    } else if (error) {
      this.transportState.lastError = error;
    }
  }

  private out(): MailTransport {
    this.transport ??= createMailTransport(this.config.mail);
    return this.transport;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.drainOnce();
      } catch (error) {
        // The database away (restart, failover): wait and try again; rows stay where they are.
        this.logger.warn(`mail sender: ${describeFailure(error)}; retrying`);
      }
      // Nothing to do, or the server away: rounds that would only claim the next waiting letters
      // to fail them too wait instead, and probe the server again after the pause.
      const serverAway = this.transportState.state === 'down' && this.lastRoundUnreachable;
      if ((handled === 0 || serverAway) && this.running) {
        const pause = new AbortController();
        this.wake = () => pause.abort();
        const ms = serverAway
          ? Math.min(UNREACHABLE_RETRY_MS, this.settings.retryBaseMs)
          : this.settings.pollIntervalMs;
        await sleep(ms, undefined, { signal: pause.signal }).catch(() => undefined);
      }
    }
  }

  // One round: claim as many rows as are sent at once (the pool's connections, at most
  // MAIL_BATCH_SIZE), send them together, record each. A row is claimed only when its send starts,
  // so its lease never runs out while it waits its turn. Returns how many rows it handled.
  // Public for tests and the benchmark, which drive it directly.
  async drainOnce(): Promise<number> {
    await this.failAbandoned();
    const width = Math.min(this.settings.batchSize, this.config.mail.smtp?.poolSize ?? 1);
    const claimed = await this.claim(width);
    const reviews = await this.reviewFamilyLetters(claimed);
    const outcomes = await Promise.all(
      claimed.map((row) => this.deliver(row, reviews.get(row.id))),
    );
    this.lastRoundUnreachable = outcomes.length > 0 && outcomes.every((k) => k === 'unreachable');
    return claimed.length;
  }

  // A row whose sender died on every attempt (its last lease ran out) will not be tried again.
  private async failAbandoned(): Promise<void> {
    const [, count] = (await this.dataSource.query(
      `UPDATE outbox_message SET state = 'failed', lease_until = NULL, claim_token = NULL,
         last_error = 'the sender stopped during every attempt'
       WHERE state = 'sending' AND lease_until < now() AND attempts >= $1`,
      [this.settings.maxAttempts],
    )) as [unknown, number];
    if (count > 0)
      this.logger.warn(`${count} outbox message(s) failed: abandoned by their senders`);
  }

  private async claim(limit: number): Promise<Claimed[]> {
    const claimedAt = Date.now();
    const rows = (await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM outbox_message
         WHERE (state = 'pending' AND available_at <= now())
            OR (state = 'sending' AND lease_until < now() AND attempts < $4)
         ORDER BY available_at, created_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE outbox_message o
         SET state = 'sending', attempts = o.attempts + 1, claim_token = gen_random_uuid(),
             lease_until = now() + $2 * interval '1 millisecond',
             message_id = coalesce(o.message_id, '<' || o.id || '@' || $3 || '>')
         FROM due WHERE o.id = due.id
         RETURNING o.*)
       SELECT c.id, c.event_type, c.inquiry_id, c.recipient_kind, c.recipient_id, c.payload,
         c.attempts, c.claim_token, c.message_id, i.reference, i.status,
         hc_full_name(p.surname, p.given_name, p.patronymic) AS sought_person_name,
         s.display_name AS staff_name, s.email AS staff_email,
         author.display_name AS sender_name,
         (SELECT array_agg(t.message_id ORDER BY t.sent_at)
            FROM outbox_message t
            WHERE t.inquiry_id = c.inquiry_id AND t.state = 'sent'
              AND t.recipient_kind = c.recipient_kind
              AND t.recipient_id IS NOT DISTINCT FROM c.recipient_id) AS thread
       FROM claimed c
       LEFT JOIN inquiry i ON i.id = c.inquiry_id
       LEFT JOIN sought_person p ON p.inquiry_id = i.id
       LEFT JOIN staff_user s ON c.recipient_kind = 'staff' AND s.id = c.recipient_id
       LEFT JOIN staff_user author ON author.id::text = c.payload ->> 'authorId'`,
      [limit, this.settings.leaseMs, this.config.mail.domain, this.settings.maxAttempts],
    )) as Claimed[];
    return rows.map((row) => ({ ...row, leaseEndsAt: claimedAt + this.settings.leaseMs }));
  }

  // The family's letters of a round, as the disclosure gate sees them now (consent can be
  // withdrawn, an address changed, after a letter was queued). One read for the round.
  private async reviewFamilyLetters(claimed: Claimed[]): Promise<Map<string, Review>> {
    const family = claimed.filter((r) => r.recipient_kind === 'inquirer' && r.inquiry_id);
    if (family.length === 0) return new Map();
    // The gate's reads each on its own, without a transaction around them (two round trips less):
    // a fact that changes between two of them is no different from one that changes just after.
    return this.gate.review(
      this.dataSource.manager,
      family.map((r) => ({
        id: r.id,
        inquiryId: r.inquiry_id!,
        eventType: r.event_type,
        payload: r.payload,
      })),
    );
  }

  // Never throws: a row whose outcome cannot be recorded (the database away) keeps its claim
  // until the lease runs out, and is sent again then.
  private async deliver(row: Claimed, review: Review | undefined): Promise<Outcome['kind']> {
    let outcome: Outcome;
    try {
      outcome = await this.attempt(row, review);
    } catch (error) {
      outcome = { kind: 'retry', error: describeFailure(error) };
    }
    if (outcome.kind === 'retry' && row.attempts >= this.settings.maxAttempts) {
      outcome = { ...outcome, kind: 'failed' };
    }
    // The database away (a restart, a failover): tried again while the claim is still ours —
    // a letter the server took but we could not mark would otherwise go out twice.
    for (;;) {
      try {
        await this.record(row, outcome);
        this.metrics.mail.inc({ result: outcome.kind });
        return outcome.kind;
      } catch (error) {
        if (!this.running || Date.now() + RECORD_RETRY_MS + LEASE_MARGIN_MS > row.leaseEndsAt) {
          this.logger.warn(`outbox ${row.id}: outcome not recorded (${describeFailure(error)})`);
          return outcome.kind;
        }
        await sleep(RECORD_RETRY_MS);
      }
    }
  }

  private async attempt(row: Claimed, review: Review | undefined): Promise<Outcome> {
    if (!isMailEvent(row.event_type) || !row.inquiry_id) {
      return { kind: 'failed', error: `no template for ${row.event_type} or no case` };
    }
    const event = row.event_type;
    let to: string | null;
    let language: MailLanguage;
    let data: MailData;
    let channel: FamilyChannel = 'email';
    if (row.recipient_kind === 'staff') {
      if (!row.reference) return { kind: 'failed', error: 'no case' };
      to = row.staff_email;
      language = STAFF_LANGUAGE;
      data = this.staffData(row);
      if (!to) return { kind: 'suppressed', error: 'the recipient has no email address' };
    } else {
      // Only what the gate says, rendered from the family's view alone.
      if (!review) return { kind: 'held', error: 'not reviewed by the disclosure gate' };
      if (review.outcome !== 'send') {
        return {
          kind: review.outcome === 'hold' ? 'held' : 'suppressed',
          error: HOLD_EXPLAINED[review.reason],
          code: review.reason,
        };
      }
      to = review.to;
      channel = review.channel;
      language = review.view.language;
      data = {
        ...this.familyData(review.view, review.fields, row),
        // Told by phone: worded for a call, and without a status link (a link is for reading;
        // none is minted that nobody could follow).
        byPhone: channel === 'phone',
        ...(event === 'family.acknowledgement' && channel === 'email'
          ? await this.statusLinkOf(row)
          : {}),
      };
    }
    const rendered = this.renderer.render(event, language, data);
    if (channel !== 'email') {
      // Another channel's module delivers it (a call to make: a callback on the case).
      await this.channels.deliver(channel, {
        noticeId: row.id,
        inquiryId: row.inquiry_id,
        to,
        subject: rendered.subject,
        text: rendered.text,
      });
      return { kind: 'sent', subject: rendered.subject, channel };
    }
    const thread = (row.thread ?? []).filter((id) => id !== row.message_id);
    const mail: OutgoingMail = {
      from: this.config.mail.from,
      to,
      replyTo: this.config.mail.replyTo,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: row.message_id,
      inReplyTo: thread.at(-1),
      references: thread.length ? thread.slice(-REFERENCES_KEPT) : undefined,
      language,
      automatic: isAutomatic(event),
    };
    try {
      await this.out().send(mail);
      this.noteTransport('up', null);
      return { kind: 'sent', subject: rendered.subject, channel };
    } catch (error) {
      let found = failureKind(error);
      // A dropped connection is the server away only if a new one fails too; otherwise it broke
      // during this message (which may even have been delivered): an attempt, counted.
      if (found === 'unreachable' && (await this.out().reachable())) found = 'temporary';
      const kind = found === 'permanent' ? 'failed' : found === 'unreachable' ? found : 'retry';
      this.noteTransport(kind === 'failed' ? 'up' : 'down', describeFailure(error));
      return { kind, error: describeFailure(error), subject: rendered.subject };
    }
  }

  // A status link goes out with the acknowledgement, when the service has a public address:
  // issued now (its token exists nowhere but in this letter), replacing any earlier one.
  private async statusLinkOf(row: Claimed): Promise<Record<string, unknown>> {
    if (!this.config.status.publicBaseUrl) return {};
    const issued = await this.dataSource.transaction((manager) =>
      this.statusLinks.issue(manager, row.inquiry_id!, SENDER),
    );
    return { statusUrl: issued.url };
  }

  // A family's letter: the family's view of the case (the gate's), the notice's own fields the
  // gate let through, dates in the family's words and our time zone.
  private familyData(view: FamilyView, fields: Record<string, unknown>, row: Claimed): MailData {
    const format = this.formats(view.language);
    const start = typeof fields.dueAt === 'string' ? new Date(fields.dueAt) : undefined;
    const end = start && new Date(start.getTime() + Number(fields.windowMinutes ?? 0) * 60_000);
    const journey = view.journey;
    const appointment = view.appointment;
    return {
      ...fields,
      reference: view.reference,
      inquirerName: view.inquirerName,
      soughtPersonName: view.soughtPersonName,
      staffName: row.sender_name ?? '',
      closing: view.closing,
      confirmed: fields.transition === 'confirm_detention',
      // "30 ноября 2026 г., 14:00"; the end of a window on the same day as its start is only a
      // time ("… с 30 ноября 2026 г., 14:00 до 15:00").
      windowStart: start && format.full.format(start),
      windowEnd:
        start &&
        end &&
        (format.day.format(start) === format.day.format(end) ? format.time : format.full).format(
          end,
        ),
      timeZone: this.config.mail.timeZone,
      ...(journey
        ? {
            crossingName: journey.crossingName ?? undefined,
            crossingAddress: journey.crossingAddress ?? undefined,
            crossingAt: journey.crossingAt ? format.full.format(journey.crossingAt) : undefined,
            entryIntoPoland: journey.entryIntoPoland
              ? format.utcDay.format(new Date(journey.entryIntoPoland))
              : undefined,
            escortName: journey.escortName ?? undefined,
            escortPhone: journey.escortPhone ?? undefined,
            emergencyPhone: this.config.travel.emergencyPhone,
          }
        : {}),
      ...(row.event_type === 'family.travel_instructions' && !journey
        ? { emergencyPhone: this.config.travel.emergencyPhone }
        : {}),
      ...(appointment
        ? {
            when: format.full.format(appointment.at),
            place: `${appointment.place}, ${appointment.address}`,
            placeInstructions: appointment.instructions,
          }
        : {}),
    };
  }

  // A notice to staff (in Ukrainian): the case as staff know it.
  private staffData(row: Claimed): MailData {
    const p = row.payload;
    const format = this.formats(STAFF_LANGUAGE);
    const start = typeof p.dueAt === 'string' ? new Date(p.dueAt) : undefined;
    return {
      ...p,
      reference: row.reference!,
      soughtPersonName: row.sought_person_name ?? '',
      staffName: row.staff_name ?? '',
      status: row.status,
      statusName: row.status?.replaceAll('_', ' '),
      windowStart: start && format.full.format(start),
      timeZone: this.config.mail.timeZone,
    };
  }

  private formats(language: MailLanguage) {
    const locale = language === 'en' ? 'en-GB' : language;
    const timeZone = this.config.mail.timeZone;
    return {
      day: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }),
      utcDay: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }),
      full: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone }),
      time: new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }),
    };
  }

  // The row's new state, if this sender still holds the claim (its token: a row whose lease ran
  // out and was claimed again belongs to the new claim); and the outcome on the case's timeline.
  // No address, name or body goes into the audit event or the log.
  private async record(row: Claimed, outcome: Outcome): Promise<void> {
    const recorded = await this.dataSource.transaction(async (manager) => {
      const [, updated] = (await manager.query(...this.update(row, outcome))) as [unknown, number];
      if (updated === 0) return false;
      if (outcome.kind === 'retry' || outcome.kind === 'unreachable' || !row.inquiry_id) {
        return true;
      }
      if (outcome.kind === 'held') {
        // The gate would not let it go now: on the case, with the reason, until it does.
        await this.audit.appendInTransaction(manager, {
          action: 'notice.held',
          actor: SENDER,
          entityType: 'outbox_message',
          entityId: row.id,
          inquiryId: row.inquiry_id,
          after: { event: row.event_type, reason: outcome.code ?? outcome.error },
        });
        return true;
      }
      await this.audit.appendInTransaction(manager, {
        // A notice told by phone is a call to make (a callback), not a letter gone.
        action:
          outcome.kind === 'sent' && outcome.channel !== 'email'
            ? 'notice.by_phone'
            : `mail.${outcome.kind}`,
        actor: SENDER,
        entityType: 'outbox_message',
        entityId: row.id,
        inquiryId: row.inquiry_id,
        after: {
          event: row.event_type,
          recipient: row.recipient_kind,
          messageId: row.message_id,
          attempts: row.attempts,
          ...('error' in outcome ? { error: outcome.error } : {}),
          ...('code' in outcome && outcome.code ? { reason: outcome.code } : {}),
        },
      });
      return true;
    });
    if (!recorded) {
      this.logger.warn(
        `outbox ${row.id}: claim lost before its outcome (${outcome.kind}) was recorded`,
      );
    } else if (outcome.kind === 'sent') {
      this.logger.log(`outbox ${row.id} (${row.event_type}) sent as ${row.message_id}`);
    } else if (outcome.kind === 'unreachable') {
      // Said once per outage (noteTransport), not once per waiting letter.
      this.logger.debug(`outbox ${row.id}: waits for the mail server (${outcome.error})`);
    } else {
      this.logger.warn(
        `outbox ${row.id} (${row.event_type}, attempt ${row.attempts}): ${outcome.kind} — ${outcome.error}`,
      );
    }
  }

  private update(row: Claimed, outcome: Outcome): [string, unknown[]] {
    const mine = `id = $1 AND state = 'sending' AND claim_token = $2`;
    switch (outcome.kind) {
      case 'sent':
        return [
          `UPDATE outbox_message SET state = 'sent', sent_at = now(), lease_until = NULL,
             claim_token = NULL, subject = $3, last_error = NULL, channel = $4 WHERE ${mine}`,
          [row.id, row.claim_token, outcome.subject, outcome.channel],
        ];
      case 'unreachable':
        // The server away: the attempt is given back (an outage of any length fails no mail)
        // and the row waits a few seconds, so that mail flows again soon after the server does.
        return [
          `UPDATE outbox_message SET state = 'pending', lease_until = NULL, claim_token = NULL,
             attempts = attempts - 1, last_error = $3, subject = coalesce($4, subject),
             available_at = now() + $5 * interval '1 millisecond' WHERE ${mine}`,
          [
            row.id,
            row.claim_token,
            outcome.error,
            outcome.subject ?? null,
            Math.min(UNREACHABLE_RETRY_MS, this.settings.retryBaseMs),
          ],
        ];
      case 'retry': {
        // Exponential backoff with ±50 % jitter: base × 2^(attempt-1) × [0.5, 1.5).
        const delay = this.settings.retryBaseMs * 2 ** (row.attempts - 1) * (0.5 + Math.random());
        return [
          `UPDATE outbox_message SET state = 'pending', lease_until = NULL, claim_token = NULL,
             last_error = $3, subject = coalesce($4, subject),
             available_at = now() + $5 * interval '1 millisecond' WHERE ${mine}`,
          [row.id, row.claim_token, outcome.error, outcome.subject ?? null, Math.round(delay)],
        ];
      }
      case 'held':
        // Not an attempt: it waits, on the case, until the gate lets it go.
        return [
          `UPDATE outbox_message SET state = 'held', lease_until = NULL, claim_token = NULL,
             attempts = attempts - 1, last_error = $3 WHERE ${mine}`,
          [row.id, row.claim_token, outcome.error],
        ];
      case 'failed':
      case 'suppressed':
        return [
          `UPDATE outbox_message SET state = $3, lease_until = NULL, claim_token = NULL,
             last_error = $4, subject = coalesce($5, subject) WHERE ${mine}`,
          [
            row.id,
            row.claim_token,
            outcome.kind,
            outcome.error,
            'subject' in outcome ? (outcome.subject ?? null) : null,
          ],
        ];
    }
  }

  // For code that must not wait for the next poll (tests, the benchmark).
  nudge(): void {
    this.wake?.();
  }
}
