import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PeriodicTask } from '../common/scheduling/periodic-task.js';
import { AppConfig } from '../config/app-config.js';
import { IntakeService } from './intake.service.js';

const EVERY_MS = 60_000;

// Nothing stored is left unprocessed: every minute (and at start), messages still `received`
// after a minute go through the pipeline again. receive() stores and decides in one
// transaction, so only rows written otherwise (an earlier version stored first and decided
// after; an operator's hand) can be left so; the sweep is the guarantee, not the usual path.
@Injectable()
export class IntakeSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IntakeSweeper');
  private readonly task = new PeriodicTask(
    async () => {
      const n = await this.intake.sweepOnce();
      if (n > 0) this.logger.log(`${n} stored message(s) taken up again`);
    },
    (error) => this.logger.warn(`sweep: ${(error as Error).message}`),
  );

  constructor(
    private readonly intake: IntakeService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role.jobs) this.task.start(EVERY_MS, { now: true });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }
}
