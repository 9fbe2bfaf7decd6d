// Work repeated every so often in this process, one run at a time: a tick that finds the last
// run still going joins it instead of starting another. The timer does not keep the process
// alive; stop() clears it and waits for the run in progress. Several replicas each run their own;
// the work itself must be safe with that (advisory locks, SKIP LOCKED).
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(everyMs: number, options: { now?: boolean } = {}): void {
    if (options.now) void this.tick();
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
  }

  tick(): Promise<void> {
    this.running ??= this.work()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
