import { Redis, ReplyError } from 'ioredis';
import { RegistryError } from '@giotto/protocol';
import type { Logger } from '../ports.js';

export interface RedisConnectionOptions {
  url: string;
  commandTimeoutMs: number;
  /** For XREAD BLOCK: no command timeout on that connection. */
  blocking?: boolean;
  /** Called each time the connection is back after a loss. */
  onReconnect?: () => void;
}

/**
 * A Redis connection that fails fast: no offline queue and bounded per-command time, so a request
 * gets UNAVAILABLE in about a second while the connection heals in the background.
 */
export function createRedis(options: RedisConnectionOptions, logger: Logger): Redis {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    ...(options.blocking ? {} : { commandTimeout: options.commandTimeoutMs }),
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    connectionName: options.blocking ? 'giotto-registry-outbox' : 'giotto-registry',
    // Commands issued in one tick leave in one write: under load, far fewer syscalls.
    enableAutoPipelining: !options.blocking,
  });
  let down = false;
  redis.on('ready', () => {
    if (down) {
      logger.info('redis connection restored');
      options.onReconnect?.();
    }
    down = false;
  });
  let everReady = false;
  redis.once('ready', () => (everReady = true));
  const lost = (reason: string) => {
    // Reported once per outage; ioredis keeps retrying with the strategy above.
    if (!down && everReady) logger.warn({ err: reason }, 'redis connection lost; retrying');
    if (everReady) down = true;
  };
  redis.on('error', (err: Error) => lost(err.message));
  redis.on('close', () => lost('connection closed'));
  return redis;
}

/** The next 'ready' or 'error' of a connection; both listeners go once either fires. */
function nextReadyOrError(redis: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = () => {
      redis.off('error', failed);
      resolve();
    };
    const failed = (err: Error) => {
      redis.off('ready', ready);
      reject(err);
    };
    redis.once('ready', ready);
    redis.once('error', failed);
  });
}

/** Waits until Redis answers, retrying with a log line now and then (a start waits for Redis). */
export async function waitForRedis(redis: Redis, logger: Logger): Promise<void> {
  let attempts = 0;
  for (;;) {
    try {
      if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
      if (redis.status !== 'ready') await nextReadyOrError(redis);
      await redis.ping();
      return;
    } catch (err) {
      if (attempts++ % 10 === 0) logger.warn({ err: (err as Error).message }, 'waiting for redis');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** A Thing's hash holds its public JWK (~420 bytes for RSA-2048): Redis keeps it compact below this. */
const COMPACT_HASH_VALUE_BYTES = 1024;

/**
 * Says so when Redis would store each Thing as a full hash table (~1.2 KB) instead of a compact
 * listpack (~0.8 KB). Advice only: CONFIG may be refused (managed Redis), and nothing depends on it.
 */
export async function adviseOnRedisConfig(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, value] = (await redis.config('GET', 'hash-max-listpack-value')) as [string, string];
    if (Number(value) < COMPACT_HASH_VALUE_BYTES) {
      logger.warn({ current: Number(value) }, `Redis hash-max-listpack-value is below ${COMPACT_HASH_VALUE_BYTES}: each Thing takes ~1.2 KB instead of ~0.8 KB (set it in redis.conf)`);
    }
  } catch {
    // CONFIG disabled or renamed: nothing to advise.
  }
}

const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|MISCONF)\b/;

/** Any failure to reach Redis is UNAVAILABLE (retryable); an error reply is INTERNAL. */
export function redisFailure(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof ReplyError && !UNAVAILABLE_REPLIES.test((err as Error).message)) {
    return new RegistryError('INTERNAL', 'internal error', { cause: err });
  }
  return new RegistryError('UNAVAILABLE', 'the registry store is unavailable; retry later', { cause: err });
}

/** Runs Redis work, turning any failure into the RegistryError it means (see redisFailure). */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw redisFailure(err);
  }
}

/** With replicas (REDIS_WAIT_REPLICAS), a change is acknowledged only once that many replicas have it. */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

/**
 * Waits (Redis WAIT, on the connection that wrote) until `replicas` replicas have every write made so
 * far; fewer in time is UNAVAILABLE: the change is on the primary, and the retry is idempotent.
 */
export async function waitForReplicas(redis: Redis, wait: ReplicaWait | undefined): Promise<void> {
  if (!wait || wait.replicas === 0) return;
  const acknowledged = await redis.wait(wait.replicas, wait.timeoutMs);
  if (acknowledged < wait.replicas) {
    throw new RegistryError('UNAVAILABLE', `the change reached ${acknowledged} of ${wait.replicas} Redis replicas in time; retry later`);
  }
}
