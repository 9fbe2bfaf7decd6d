import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '../common/scheduling/periodic-task.js';
import { AppConfig } from '../config/app-config.js';

const EVERY_MS = 2_000;

// Moves the changes the triggers append (report_tally_delta) into the tallies every two
// seconds, so that readers sum few of them. Folding changes no figure (readers sum both, in one
// snapshot); one process folds at a time (an advisory lock; the others skip their turn).
@Injectable()
export class TallyFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReportTallies');
  private readonly task = new PeriodicTask(
    async () => void (await this.foldOnce()),
    (error) => this.logger.warn(`folding tallies: ${(error as Error).message}`),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role.jobs) this.task.start(EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  // One pass; how many tally rows it changed.
  async foldOnce(): Promise<number> {
    const [{ folded }] = (await this.dataSource.query(`SELECT hc_report_fold() AS folded`)) as {
      folded: number;
    }[];
    return folded;
  }
}
