import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys, RedisThingStore } from '@giotto/registry';
import { checkThingJwk, thumbprintOf } from '@giotto/protocol';
import type { JWK } from 'jose';

/** RSA-OAEP (SHA-256) private decryptions per second on one core, with the given key size. */
export function rsaDecryptsPerSecond(modulusLength: number, seconds: number): number {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
  const block = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(88, 7));
  const until = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < until) {
    privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, block);
    count++;
  }
  return count / ((performance.now() - started) / 1000);
}

/**
 * Redis's own accounting of what `count` Things cost: used_memory before and after storing them
 * through the registry's own script, with the outbox stream trimmed as the relay does.
 */
export async function redisBytesPerThing(url: string, count: number, jwk: JWK, progress: (done: number) => void): Promise<{ perThing: number; sampleKeys: number }> {
  const redis = new Redis(url);
  try {
    const keys = new RedisKeys('giotto:{bench-memory}:');
    const store = RedisThingStore.create(redis, keys);
    const publicKey = checkThingJwk(jwk);
    const publicKeyJson = JSON.stringify(publicKey);
    const thumbprint = await thumbprintOf(publicKey);
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const before = await usedMemory();
    const at = new Date().toISOString();
    let lastUuid = '';
    for (let done = 0; done < count; ) {
      const batch = Math.min(1000, count - done);
      await Promise.all(
        Array.from({ length: batch }, () => {
          lastUuid = randomUUID();
          return store.registerThing({ uuid: lastUuid, publicKeyJson, thumbprint, at });
        }),
      );
      done += batch;
      await redis.xtrim(keys.events, 'MAXLEN', 0);
      progress(done);
    }
    const after = await usedMemory();
    const thing = await store.findThing(lastUuid);
    const sampleKeys = Number(await redis.memory('USAGE', keys.thingByUuid(lastUuid))) + Number(await redis.memory('USAGE', keys.thing(thing!.thingId)));
    return { perThing: (after - before) / count, sampleKeys };
  } finally {
    redis.disconnect();
  }
}
