/**
 * Counts work under way, so a graceful stop can wait for it to finish, and so the bus can stop
 * reading from the broker while `limit` requests are under way (a flood slows the service down
 * instead of filling its memory).
 */
export class InFlight {
  private count = 0;
  private idle: (() => void)[] = [];
  private room: (() => void)[] = [];

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  /** undefined while there is room; else resolves once the count is back under the limit. */
  whenRoom(): Promise<void> | undefined {
    if (this.count < this.limit) return undefined;
    return new Promise((resolve) => this.room.push(resolve));
  }

  get pending(): number {
    return this.count;
  }

  /** Runs `work` in the background, counted until it settles (it must not reject). */
  run(work: () => Promise<void>): void {
    this.count++;
    void work().finally(() => {
      this.count--;
      if (this.count < this.limit) for (const resolve of this.room.splice(0)) resolve();
      if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
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
