/** Counts work under way, so a graceful stop can wait for it to finish. */
export class InFlight {
  private count = 0;
  private idle: (() => void)[] = [];

  get pending(): number {
    return this.count;
  }

  /** Runs `work` in the background, counted until it settles (it must not reject). */
  run(work: () => Promise<void>): void {
    this.count++;
    void work().finally(() => {
      if (--this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /** Resolves when nothing is in flight (or after `timeoutMs`). */
  drain(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
