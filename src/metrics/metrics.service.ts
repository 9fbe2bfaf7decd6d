import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';

// What this process counts (HTTP, transitions, intake, mail) and what the database shows at
// scrape time (queues, quarantine, lag), in the Prometheus text format. Counters are per process
// (scrape every replica and sum); the database gauges are the same from every replica.
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'homecoming_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status, until the answer is written.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly transitions = new Counter({
    name: 'homecoming_inquiry_transitions_total',
    help: 'Committed status transitions by transition and the status they led from and to.',
    labelNames: ['transition', 'from', 'to'] as const,
    registers: [this.registry],
  });

  readonly intake = new Counter({
    name: 'homecoming_intake_messages_total',
    help: 'Inbound messages decided by this process, by door (webhook, imap) and outcome.',
    labelNames: ['door', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly mail = new Counter({
    name: 'homecoming_mail_deliveries_total',
    help: 'Outbox rows this process tried to send, by result (sent, retry, failed, suppressed, held, unreachable).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly outbox = this.gauge(
    'homecoming_outbox_messages',
    'Outbox rows waiting (pending), being sent (sending) or given up (failed).',
    ['state'],
  );
  private readonly outboxLag = this.gauge(
    'homecoming_outbox_lag_seconds',
    'How long the oldest due outbox row has waited to be sent (0 when none waits).',
  );
  private readonly quarantine = this.gauge(
    'homecoming_intake_quarantined_messages',
    'Inbound messages in the quarantine, waiting for a person.',
  );
  private readonly reviewQueue = this.gauge(
    'homecoming_intake_review_messages',
    'Inbound letters that reached no case, waiting in the review queue for a person.',
  );
  private readonly intakeLag = this.gauge(
    'homecoming_intake_undecided_seconds',
    'How long the oldest stored but undecided inbound message has waited (0 when none).',
  );
  private readonly imapLease = this.gauge(
    'homecoming_imap_mailbox_lease_seconds',
    'Time left on the reader lease of each IMAP folder; below 0, no process reads the folder.',
    ['mailbox'],
  );
  private readonly tallyLag = this.gauge(
    'homecoming_report_unfolded_changes',
    'Report tally changes not yet folded (the folder runs every 2 s in worker processes).',
  );
  private readonly databaseUp = this.gauge(
    'homecoming_metrics_database_up',
    '1 when the last scrape read the database gauges, 0 when the database did not answer.',
  );

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'homecoming_' });
  }

  async scrape(): Promise<string> {
    await this.readDatabase();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge(name: string, help: string, labelNames: string[] = []) {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  // One round trip; every figure is read from an index (outbox by state, inbound by outcome).
  private async readDatabase(): Promise<void> {
    try {
      const [row] = (await this.dataSource.query(
        `SELECT
           (SELECT count(*) FROM outbox_message WHERE state = 'pending')::int AS pending,
           (SELECT count(*) FROM outbox_message WHERE state = 'sending')::int AS sending,
           (SELECT count(*) FROM outbox_message WHERE state = 'failed')::int AS failed,
           coalesce((SELECT extract(epoch FROM now() - min(available_at))
              FROM outbox_message WHERE state = 'pending' AND available_at <= now()), 0)::float8
             AS outbox_lag,
           (SELECT count(*) FROM inbound_email WHERE outcome = 'quarantined')::int AS quarantined,
           (SELECT count(*) FROM inbound_email WHERE outcome = 'review')::int AS review,
           coalesce((SELECT extract(epoch FROM now() - min(received_at))
              FROM inbound_email WHERE outcome = 'received'), 0)::float8 AS intake_lag,
           (SELECT count(*) FROM report_tally_delta)::int AS unfolded,
           (SELECT coalesce(json_object_agg(mailbox,
              coalesce(extract(epoch FROM lease_until - now()), -1)), '{}')
              FROM imap_mailbox) AS imap`,
      )) as {
        pending: number;
        sending: number;
        failed: number;
        outbox_lag: number;
        quarantined: number;
        review: number;
        intake_lag: number;
        unfolded: number;
        imap: Record<string, number>;
      }[];
      this.outbox.set({ state: 'pending' }, row.pending);
      this.outbox.set({ state: 'sending' }, row.sending);
      this.outbox.set({ state: 'failed' }, row.failed);
      this.outboxLag.set(row.outbox_lag);
      this.quarantine.set(row.quarantined);
      this.reviewQueue.set(row.review);
      this.intakeLag.set(row.intake_lag);
      this.tallyLag.set(row.unfolded);
      this.imapLease.reset();
      for (const [mailbox, seconds] of Object.entries(row.imap)) {
        this.imapLease.set({ mailbox }, seconds);
      }
      this.databaseUp.set(1);
    } catch {
      this.databaseUp.set(0);
    }
  }
}
