import type { Redis } from 'ioredis';
import type { RegisterOutcome, ThingStore } from '../ports.js';
import { defineScript, runScript } from './lua-scripts.js';
import { redisFailure } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/** ThingStore on Redis: each operation is one Lua script. */
export class RedisThingStore implements ThingStore {
  private constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  static create(redis: Redis, keys: RedisKeys): RedisThingStore {
    defineScript(redis, 'giottoRegisterThing', './register-thing.lua', 3);
    return new RedisThingStore(redis, keys);
  }

  async registerThing(input: { uuid: string; publicKeyJson: string; thumbprint: string; at: string }) {
    try {
      const [outcome, thingId] = (await runScript(
        this.redis,
        'giottoRegisterThing',
        [this.keys.thingByUuid(input.uuid), this.keys.thingSequence, this.keys.events],
        [this.keys.prefix, input.uuid, input.publicKeyJson, input.thumbprint, input.at],
      )) as [RegisterOutcome, number];
      return { outcome, thingId: Number(thingId) };
    } catch (err) {
      throw redisFailure(err);
    }
  }
}
