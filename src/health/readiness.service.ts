import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { listPendingMigrations } from '../database/migrations.util.js';

const DATABASE_TIMEOUT_MS = 2_000;

// What /health/ready checks. Later features (SMTP, IMAP mailboxes) add their indicators here.
@Injectable()
export class ReadinessService {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  checks(): (() => PromiseLike<HealthIndicatorResult>)[] {
    return [() => this.database(), () => this.migrations()];
  }

  private database() {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.dataSource.query('SELECT 1');
      })
      .withTimeout(DATABASE_TIMEOUT_MS);
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
