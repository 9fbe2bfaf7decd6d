import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { IntakeService } from './intake.service.js';

const EVERY_MS = 60_000;

// Nothing stored is left unprocessed: every minute (and at start), messages still `received`
// after a minute — their process died mid-pipeline — go through the pipeline again.
@Injectable()
export class IntakeSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IntakeSweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly intake: IntakeService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.mail.worker.enabled) return;
    const sweep = () => {
      this.running ??= this.intake
        .sweepOnce()
        .then((n) => n > 0 && this.logger.log(`${n} stored message(s) taken up again`))
        .catch((error: unknown) => this.logger.warn(`sweep: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    };
    sweep();
    this.timer = setInterval(sweep, EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
