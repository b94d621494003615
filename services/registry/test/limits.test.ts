import { describe, expect, it } from 'vitest';
import { CpuQueue } from '../src/cpu-queue.js';
import { RateLimiter, TokenBucket } from '../src/rate-limiter.js';

describe('token buckets and the rate limiter (fake clock)', () => {
  it('a bucket spends its burst, then refills at its rate and says how long to wait', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(500);
    expect(bucket.take(250)).toBe(250);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(10_000)).toBe(0); // refills to at most its capacity
    expect(bucket.take(10_000)).toBe(0);
    expect(bucket.take(10_000)).toBe(0);
    expect(bucket.take(10_000)).toBeGreaterThan(0);
  });

  it('limits each Thing on its own, and the instance as a whole', () => {
    let now = 0;
    const limiter = new RateLimiter({ globalPerSecond: 5, perThingPerMinute: 60, perThingBurst: 2 }, () => now);
    expect([limiter.take('a'), limiter.take('a')]).toEqual([0, 0]);
    expect(limiter.take('a')).toBe(1000); // 1 per second per Thing after the burst of 2
    expect([limiter.take('b'), limiter.take('c')]).toEqual([0, 0]);
    expect(limiter.take('d')).toBe(0); // the instance's 5th (a refused request spends none)
    expect(limiter.take('e')).toBeGreaterThan(0); // the instance's 5 are spent
    now = 1000;
    expect(limiter.take('a')).toBe(0);
  });
});

describe('the CPU queue for RSA work', () => {
  it('runs jobs one per turn of the event loop, in order, and refuses beyond maxPending', async () => {
    const queue = new CpuQueue(2);
    const order: string[] = [];
    const first = queue.run(() => order.push('first'));
    const second = queue.run(() => order.push('second'));
    expect(queue.run(() => order.push('third'))).toBeUndefined();
    const between = new Promise<void>((resolve) => setImmediate(() => (order.push('other work'), resolve())));
    await Promise.all([first, second, between]);
    expect(order.indexOf('first')).toBeLessThan(order.indexOf('second'));
    expect(order).toContain('other work');
    await expect(queue.run(() => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(queue.pending).toBe(0);
  });
});
