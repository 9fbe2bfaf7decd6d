import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { listPendingMigrations } from '../database/migrations.util.js';
import { ImapIntakeService } from '../intake/imap/imap-intake.service.js';
import { MailSender } from '../mail/mail-sender.js';
import { AppConfig } from '../config/app-config.js';

const DATABASE_TIMEOUT_MS = 2_000;

// What /health/ready checks: the database and its migrations decide readiness. The IMAP folders
// this replica reads (state, last error, next retry) and the mail server (whether this process
// sends, and how its last hand-over went) are shown but do not take it out of service: the API works
// without them, mail waits in the outbox and a reader retries on its own.
@Injectable()
export class ReadinessService {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly imap: ImapIntakeService,
    private readonly mail: MailSender,
    private readonly config: AppConfig,
  ) {}

  checks(): (() => PromiseLike<HealthIndicatorResult>)[] {
    const checks: (() => PromiseLike<HealthIndicatorResult>)[] = [
      () => this.database(),
      () => this.migrations(),
    ];
    if (this.imap.enabled) checks.push(() => this.imapFolders());
    checks.push(() => this.mailTransport());
    return checks;
  }

  private database() {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.dataSource.query('SELECT 1');
      })
      .withTimeout(DATABASE_TIMEOUT_MS);
  }

  private mailTransport() {
    return Promise.resolve(
      this.indicators.check('mail').up({ sending: this.config.role.jobs, ...this.mail.status() }),
    );
  }

  private imapFolders() {
    return Promise.resolve(this.indicators.check('imap').up({ mailboxes: this.imap.status() }));
  }

  private async migrations() {
    const session = this.indicators.check('migrations');
    try {
      const pending = await listPendingMigrations(this.dataSource);
      return pending.length === 0 ? session.up() : session.down({ pending });
    } catch {
      return session.down({ message: 'could not read the migrations table' });
    }
  }
}
