import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PeriodicTask } from '../common/scheduling/periodic-task.js';
import { AuditService } from './audit.service.js';

// How often each process writes a checkpoint (replicas take turns on an advisory lock, so more
// replicas only means some find nothing new). 0 turns the schedule off.
export const AUDIT_CHECKPOINT_INTERVAL_MS = 'AUDIT_CHECKPOINT_INTERVAL_MS';
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10 * 60_000;

@Injectable()
export class AuditCheckpointScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditCheckpoint');
  private readonly task = new PeriodicTask(
    () => this.checkpoint(),
    (error) => this.logger.error('audit checkpoint failed', (error as Error).stack),
  );

  constructor(
    private readonly audit: AuditService,
    @Optional()
    @Inject(AUDIT_CHECKPOINT_INTERVAL_MS)
    private readonly intervalMs: number = DEFAULT_CHECKPOINT_INTERVAL_MS,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs > 0) this.task.start(this.intervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  // One checkpoint at a time in this process; a tick that finds one running joins it.
  tick(): Promise<void> {
    return this.task.tick();
  }

  private async checkpoint(): Promise<void> {
    const checkpoint = await this.audit.writeCheckpoint();
    // The hash in the log is an anchor outside the database: keep these lines.
    if (checkpoint) {
      this.logger.log(
        `audit checkpoint ${checkpoint.id} written: ${Object.keys(checkpoint.heads).length} stream head(s), hash ${checkpoint.hash}`,
      );
    }
  }
}
