import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { listPendingMigrations } from '../database/migrations.util.js';
import { ImapIntakeService } from '../intake/imap/imap-intake.service.js';

const DATABASE_TIMEOUT_MS = 2_000;

// What /health/ready checks: the database and its migrations decide readiness. The IMAP folders
// this replica reads are shown (state, last error, next retry) but do not take it out of
// service: the API works without them, and a reader retries on its own.
@Injectable()
export class ReadinessService {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly imap: ImapIntakeService,
  ) {}

  checks(): (() => PromiseLike<HealthIndicatorResult>)[] {
    const checks: (() => PromiseLike<HealthIndicatorResult>)[] = [
      () => this.database(),
      () => this.migrations(),
    ];
    if (this.imap.enabled) checks.push(() => this.imapFolders());
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
