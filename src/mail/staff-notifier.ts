import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEventInput, AuditService } from '../audit/audit.service.js';
import { PeriodicTask } from '../common/scheduling/periodic-task.js';
import type { AppConfig } from '../config/app-config.js';
import type { OutboxService, OutboxEntry } from './outbox.service.js';

const EVERY_MS = 60_000;

// What a staff notice does for one row it claimed: the email to queue and the audit event.
export interface StaffNotice {
  mail: OutboxEntry;
  audit: AuditEventInput;
}

// A periodic check that tells staff by email, once, about something overdue: each pass claims
// the rows due (the subclass's statement: FOR UPDATE SKIP LOCKED, marking them notified, so
// replicas never notify twice), and queues the email and the audit event of each in the same
// transaction. Runs where the mail sender runs.
export abstract class StaffNotifier<Row> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly task: PeriodicTask;

  protected constructor(
    name: string,
    protected readonly dataSource: DataSource,
    protected readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {
    this.logger = new Logger(name);
    this.task = new PeriodicTask(
      async () => void (await this.notifyOnce()),
      (error) => this.logger.warn((error as Error).message),
    );
  }

  // Claims the due rows and marks them notified (RETURNING them).
  protected abstract claim(manager: EntityManager): Promise<Row[]>;
  protected abstract notice(row: Row): StaffNotice;

  onApplicationBootstrap(): void {
    if (this.config.role.jobs) this.task.start(EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  // One pass; how many rows it reported. Public for tests.
  async notifyOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const notices = (await this.claim(manager)).map((row) => this.notice(row));
      await this.outbox.enqueueInTransaction(
        manager,
        notices.map((n) => n.mail),
      );
      for (const n of notices) await this.audit.appendInTransaction(manager, n.audit);
      return notices.length;
    });
  }
}
