import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { IntakeService } from '../intake.service.js';
import { MailboxReader, type ReaderStatus } from './mailbox-reader.js';

// The IMAP door: a reader per configured folder, in processes that run the background jobs
// (ROLE all or worker). Every such replica starts its readers; the lease in imap_mailbox lets one
// of them read each folder, and the others wait on standby to take over.
@Injectable()
export class ImapIntakeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ImapIntake');
  private readonly readers: MailboxReader[] = [];
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly intake: IntakeService,
  ) {}

  get enabled(): boolean {
    return this.config.intake.imap !== undefined && this.config.role.jobs;
  }

  onApplicationBootstrap(): void {
    const imap = this.config.intake.imap;
    if (!imap || !this.config.role.jobs) return;
    for (const folder of imap.mailboxes) {
      const reader = new MailboxReader(
        folder,
        { ...imap, maxBytes: this.config.intake.maxBytes },
        this.owner,
        this.dataSource,
        this.intake,
        this.logger,
      );
      this.readers.push(reader);
      reader.start();
    }
    this.logger.log(`reading ${imap.mailboxes.length} IMAP folder(s) on ${imap.host}`);
  }

  status(): ReaderStatus[] {
    return this.readers.map((r) => r.snapshot());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.stop()));
  }
}
