import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '../common/scheduling/periodic-task.js';
import { systemActor } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { Pseudonymiser, type PseudonymisedCase } from './pseudonymiser.js';

const ACTOR = systemActor('retention');
const BATCH = 100;
// How long the answer to a request with an Idempotency-Key is kept for its retries: it holds the
// case as it was created (names, contacts), so not for ever.
export const IDEMPOTENCY_KEEP_HOURS = 24;

export interface RetentionRun {
  dryRun: boolean;
  cases: (PseudonymisedCase & { closedAt: string; days: number })[];
}

// Closed cases past their retention period (RETENTION_DAYS, per final status, counted from when
// the case entered it) lose their personal data (Pseudonymiser). Every RETENTION_INTERVAL_MINUTES
// where the role runs jobs, in batches; replicas may run it at once (each case is taken under its
// row lock, SKIP LOCKED). RETENTION_MODE=dry-run logs what it would remove: references, statuses
// and counts, never a value.
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly task = new PeriodicTask(
    async () => {
      await this.purgeReplays();
      if (this.config.retention.mode === 'off') return;
      await this.runOnce({ dryRun: this.config.retention.mode === 'dry-run' });
    },
    (error) => this.logger.warn(`retention: ${(error as Error).message}`),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role.jobs) this.task.start(this.config.retention.intervalMs, { now: true });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  // Answers kept for retried requests, past IDEMPOTENCY_KEEP_HOURS: deleted (whatever
  // RETENTION_MODE says: they are no case's record). How many.
  async purgeReplays(): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM idempotency_key WHERE created_at < now() - $1 * interval '1 hour'`,
      [IDEMPOTENCY_KEEP_HOURS],
    )) as [unknown, number];
    if (count > 0) this.logger.log(`${count} stored answer(s) to retried requests deleted`);
    return count;
  }

  // The cases due now, oldest first.
  async due(
    limit = BATCH,
  ): Promise<{ id: string; status: string; closed_at: Date; days: number }[]> {
    const policy = [...this.config.retention.days];
    if (policy.length === 0) return [];
    return (await this.dataSource.query(
      `SELECT i.id, i.status, h.entered_at AS closed_at, p.days
       FROM unnest($1::text[], $2::int[]) AS p(status, days)
       JOIN inquiry i ON i.status = p.status AND i.pseudonymised_at IS NULL
       JOIN inquiry_status_history h ON h.inquiry_id = i.id AND h.left_at IS NULL
       WHERE h.entered_at < now() - p.days * interval '1 day'
       ORDER BY h.entered_at LIMIT $3`,
      [policy.map(([s]) => s), policy.map(([, d]) => d), limit],
    )) as { id: string; status: string; closed_at: Date; days: number }[];
  }

  // One pass over everything due (a dry run: the first `limit` cases, since nothing changes).
  async runOnce({
    dryRun,
    limit = BATCH,
  }: {
    dryRun: boolean;
    limit?: number;
  }): Promise<RetentionRun> {
    const run: RetentionRun = { dryRun, cases: [] };
    for (;;) {
      const due = await this.due(limit);
      let progressed = 0;
      for (const candidate of due) {
        const done = await this.pseudonymiser.pseudonymise(
          candidate.id,
          { actor: ACTOR, action: 'inquiry.pseudonymise', days: candidate.days },
          { dryRun },
        );
        if (!done) continue; // taken meanwhile, or locked: the next run
        progressed += 1;
        run.cases.push({
          ...done,
          closedAt: candidate.closed_at.toISOString(),
          days: candidate.days,
        });
        this.logger.log(
          `${dryRun ? 'would pseudonymise' : 'pseudonymised'} ${done.reference} (${done.status} since ` +
            `${candidate.closed_at.toISOString().slice(0, 10)}, kept ${candidate.days} days): ` +
            Object.entries(done.removed)
              .filter(([, n]) => n > 0)
              .map(([table, n]) => `${table} ${n}`)
              .join(', '),
        );
      }
      if (dryRun || due.length < limit || progressed === 0) return run;
    }
  }
}
