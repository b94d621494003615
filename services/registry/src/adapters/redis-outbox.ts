import type { Redis } from 'ioredis';
import type { Outbox, OutboxEntry } from '../ports.js';
import { defineScript, runScript } from './lua-scripts.js';
import type { RedisKeys } from './redis-keys.js';

type XReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * The outbox stream on Redis [REG-3.1]. Reads use their own connection, since XREAD BLOCK holds it.
 */
export class RedisOutbox implements Outbox {
  private constructor(
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly keys: RedisKeys,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  static create(options: { redis: Redis; reader: Redis; keys: RedisKeys; owner: string; leaseMs: number }): RedisOutbox {
    defineScript(options.redis, 'giottoOutboxLease', './outbox-lease.lua', 1);
    defineScript(options.redis, 'giottoOutboxAck', './outbox-ack.lua', 3);
    defineScript(options.redis, 'giottoOutboxRelease', './outbox-release.lua', 1);
    return new RedisOutbox(options.redis, options.reader, options.keys, options.owner, options.leaseMs);
  }

  async holdLease(): Promise<boolean> {
    return (await runScript(this.redis, 'giottoOutboxLease', [this.keys.eventsLease], [this.owner, this.leaseMs])) === 1;
  }

  async releaseLease(): Promise<void> {
    await runScript(this.redis, 'giottoOutboxRelease', [this.keys.eventsLease], [this.owner]);
  }

  async lastPublishedId(): Promise<string> {
    return (await this.redis.get(this.keys.eventsPublished)) ?? '0-0';
  }

  async readAfter(afterId: string, count: number, blockMs: number): Promise<OutboxEntry[]> {
    const reply = (await this.reader.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.keys.events, afterId)) as XReadReply;
    const entries = reply?.[0]?.[1] ?? [];
    return entries.map(([id, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      return { id, fields };
    });
  }

  async markPublished(id: string): Promise<void> {
    await runScript(this.redis, 'giottoOutboxAck', [this.keys.eventsLease, this.keys.eventsPublished, this.keys.events], [this.owner, id]);
  }
}
