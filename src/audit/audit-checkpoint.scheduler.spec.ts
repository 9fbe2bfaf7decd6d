import { describe, expect, it } from '@jest/globals';
import { AuditCheckpointScheduler } from './audit-checkpoint.scheduler.js';
import type { AuditService } from './audit.service.js';

// Counts calls; each checkpoint takes `ms` to write.
function makeAudit(ms = 0) {
  const calls = { started: 0, finished: 0 };
  const audit = {
    writeCheckpoint: async () => {
      calls.started += 1;
      await new Promise((resolve) => setTimeout(resolve, ms));
      calls.finished += 1;
      return null;
    },
  } as unknown as AuditService;
  return { audit, calls };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AuditCheckpointScheduler', () => {
  it('writes a checkpoint every interval until the module is destroyed', async () => {
    const { audit, calls } = makeAudit();
    const sut = new AuditCheckpointScheduler(audit, 20);

    sut.onApplicationBootstrap();
    await delay(110);
    await sut.onModuleDestroy();
    const seen = calls.started;
    await delay(60);

    expect(seen).toBeGreaterThanOrEqual(3);
    expect(calls.started).toBe(seen);
  });

  it('never runs two checkpoints at once, and shutdown waits for the one running', async () => {
    const { audit, calls } = makeAudit(50);
    const sut = new AuditCheckpointScheduler(audit, 1_000_000);

    const first = sut.tick();
    const second = sut.tick();
    await sut.onModuleDestroy();

    expect(second).toBe(first);
    expect(calls).toEqual({ started: 1, finished: 1 });
  });

  it('is off with an interval of 0', async () => {
    const { audit, calls } = makeAudit();
    const sut = new AuditCheckpointScheduler(audit, 0);

    sut.onApplicationBootstrap();
    await delay(30);
    await sut.onModuleDestroy();

    expect(calls.started).toBe(0);
  });
});
