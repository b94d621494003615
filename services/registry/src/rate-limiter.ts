/**
 * Token buckets for the abuse limits [REG-2.14]: one for the whole instance and one per Thing
 * (by UUID), refilled continuously. `take` answers 0 (go) or how many ms until a token is there.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

export interface RateLimits {
  /** Requests per second for the whole instance (also the burst). */
  globalPerSecond: number;
  /** Requests per minute for one Thing, and the burst it may spend at once. */
  perThingPerMinute: number;
  perThingBurst: number;
}

/** Bounded memory: at most this many Things are tracked; the least recently seen goes first. */
const MAX_TRACKED = 100_000;

export class RateLimiter {
  private readonly global: TokenBucket;
  private readonly perThing = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new TokenBucket(limits.globalPerSecond, limits.globalPerSecond, now());
  }

  /** 0 when the request may go ahead, else the ms after which it may be retried. */
  take(thing: string): number {
    const now = this.now();
    let bucket = this.perThing.get(thing);
    if (bucket) this.perThing.delete(thing);
    else bucket = new TokenBucket(this.limits.perThingBurst, this.limits.perThingPerMinute / 60, now);
    this.perThing.set(thing, bucket);
    if (this.perThing.size > MAX_TRACKED) this.perThing.delete(this.perThing.keys().next().value!);
    return bucket.take(now) || this.global.take(now);
  }
}
