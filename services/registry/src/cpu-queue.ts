/**
 * Runs CPU-heavy jobs (RSA decryption of node frames) one at a time, each in its own turn of the
 * event loop, so a flood of them cannot starve the Thing requests waiting between them; and holds
 * at most `maxPending`, refusing the rest at once [REG-5.8].
 */
export class CpuQueue {
  private readonly jobs: (() => void)[] = [];
  private running = false;

  constructor(private readonly maxPending: number) {}

  get pending(): number {
    return this.jobs.length + (this.running ? 1 : 0);
  }

  /** Resolves with the job's result; undefined when the queue is full (the caller answers "busy"). */
  run<T>(job: () => T): Promise<T> | undefined {
    if (this.pending >= this.maxPending) return undefined;
    return new Promise<T>((resolve, reject) => {
      this.jobs.push(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err);
        }
      });
      this.next();
    });
  }

  private next(): void {
    if (this.running) return;
    const job = this.jobs.shift();
    if (!job) return;
    this.running = true;
    setImmediate(() => {
      job();
      this.running = false;
      this.next();
    });
  }
}
