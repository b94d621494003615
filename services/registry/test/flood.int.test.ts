import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, MessageLog, TestMosquitto, TestRedis } from '@giotto/testkit';
import { registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing } from './registry-under-test.js';
import { RegistryProcess } from './registry-process.js';

const SECONDS = Number(process.env.FLOOD_SECONDS ?? 60);
/** The stated bound (docs/RELIABILITY.md): the service's resident memory under a full-speed flood. */
const RSS_BOUND_BYTES = 384 * 1024 * 1024;

describe(`a ${SECONDS}-second flood at full speed`, () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let registry: RegistryProcess;
  let client: MqttClient;

  beforeAll(async () => {
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    registry = await RegistryProcess.start({
      MQTT_URL: mosquitto.url,
      REDIS_URL: redis.url,
      REGISTRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'giotto-flood-')),
      REGISTRY_CLIENT_ID: `flood-${randomUUID()}`,
      LOG_LEVEL: 'error',
    });
    client = await connectClient(mosquitto.url);
  });

  afterAll(async () => {
    await client?.endAsync(true);
    await registry?.kill('SIGKILL');
    await mosquitto?.close();
    await redis?.close();
  });

  it(`keeps the service's memory under ${RSS_BOUND_BYTES / 2 ** 20} MiB and serves a good request after`, { timeout: (SECONDS + 120) * 1000 }, async () => {
    const key = await makeThing();
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(registry.rssBytes()), 1000);
    const until = Date.now() + SECONDS * 1000;
    let sent = 0;
    try {
      while (Date.now() < until) {
        const batch: Promise<unknown>[] = [];
        for (let i = 0; i < 200; i++) {
          const kind = i % 4;
          const topic = kind === 3 ? `nodes/register/${randomBytes(9).toString('base64url')}` : 'register';
          const payload = kind === 0 ? JSON.stringify({ type: 'RegisterThingRequest', uuid: randomUUID(), publicKey: key.publicJwk })
            : kind === 1 ? randomBytes(512)
            : kind === 2 ? JSON.stringify({ type: 'RegisterThingRequest', uuid: randomUUID(), publicKey: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } })
            : randomBytes(256);
          // QoS 0 is the broker's fastest path: the flood is limited by nothing but the machine.
          batch.push(client.publishAsync(topic, payload, { qos: 0 }));
        }
        await Promise.all(batch);
        sent += batch.length;
      }
    } finally {
      clearInterval(sampler);
    }
    const peak = Math.max(...samples);
    console.log(`flood: ${sent} messages in ${SECONDS} s; service RSS peak ${(peak / 2 ** 20).toFixed(0)} MiB, last ${(samples.at(-1)! / 2 ** 20).toFixed(0)} MiB`);
    expect(samples.length).toBeGreaterThanOrEqual(SECONDS - 2);
    expect(peak).toBeLessThan(RSS_BOUND_BYTES);

    // It still serves (once its backlog is worked off).
    const good = await makeThing();
    const log = await MessageLog.subscribe(client, `registry/reply/${good.uuid}`);
    const deadline = Date.now() + 60_000;
    let served = false;
    while (!served && Date.now() < deadline) {
      await client.publishAsync('register', good.request(), { qos: 1 });
      served = await log.waitFor(() => true, 3000).then((m) => registerThingResponseSchema.safeParse(m.json).success, () => false);
    }
    expect(served).toBe(true);
    expect(await registry.ready()).toBe(true);
  });
});
