import { loadConfig, RedisKeys, RedisThingStore } from '@giotto/registry';
import { Redis } from 'ioredis';
import { CliError } from './cli-error.js';
import { createOutput, type Output } from './output.js';

/** What commands share: output mode, and (made on first use, closed at exit) the Redis store. */
export interface CliContext {
  output(): Output;
  redis(): Promise<Redis>;
  store(): Promise<RedisThingStore>;
  keys(): RedisKeys;
  close(): Promise<void>;
}

export function createContext(getJson: () => boolean, env: NodeJS.ProcessEnv = process.env): CliContext {
  let redis: Redis | undefined;
  const config = () => loadConfig(env);
  const context: CliContext = {
    output: () => createOutput(getJson()),
    keys: () => new RedisKeys(config().redis.keyPrefix),
    async redis() {
      if (redis) return redis;
      // Unset: the local Redis that `pnpm start` launches (same environment, same default).
      const url = config().redis.url ?? `redis://127.0.0.1:${env.LOCAL_REDIS_PORT ?? 6380}`;
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
      let reason = '';
      client.on('error', (err: Error) => (reason ||= err.message));
      try {
        await client.connect();
      } catch (err) {
        throw new CliError(`cannot reach Redis at ${url} (${reason || (err as Error).message}); start the registry with pnpm start, or set REDIS_URL`);
      }
      redis = client;
      return client;
    },
    async store() {
      return RedisThingStore.create(await context.redis(), context.keys());
    },
    async close() {
      redis?.disconnect();
    },
  };
  return context;
}
