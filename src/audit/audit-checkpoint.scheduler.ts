import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AuditService } from './audit.service.js';

// How often each process writes a checkpoint (replicas take turns on an advisory lock, so more
// replicas only means some find nothing new). 0 turns the schedule off.
export const AUDIT_CHECKPOINT_INTERVAL_MS = 'AUDIT_CHECKPOINT_INTERVAL_MS';
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10 * 60_000;

@Injectable()
export class AuditCheckpointScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditCheckpoint');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly audit: AuditService,
    @Optional()
    @Inject(AUDIT_CHECKPOINT_INTERVAL_MS)
    private readonly intervalMs: number = DEFAULT_CHECKPOINT_INTERVAL_MS,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  // One checkpoint at a time in this process; a tick that finds one running joins it.
  tick(): Promise<void> {
    this.running ??= this.audit
      .writeCheckpoint()
      .then(
        (checkpoint) => {
          // The hash in the log is an anchor outside the database: keep these lines.
          if (checkpoint) {
            this.logger.log(
              `audit checkpoint ${checkpoint.id} written: ${Object.keys(checkpoint.heads).length} stream head(s), hash ${checkpoint.hash}`,
            );
          }
        },
        (error: unknown) => {
          this.logger.error('audit checkpoint failed', (error as Error).stack);
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
