import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, freePort, MessageLog, TestMosquitto, TestRedis } from '@giotto/testkit';
import { registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, startRegistry, type RegistryUnderTest } from './registry-under-test.js';
import { readConsistentThings } from './redis-state.js';

describe('scale-out: 3 instances behind $share/<group>/…', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let instances: RegistryUnderTest[] = [];
  const ports: number[] = [];
  let client: MqttClient;
  let log: MessageLog;

  beforeAll(async () => {
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    const env = { REGISTRY_SHARED_GROUP: 'registry', REGISTRY_RATE_LIMIT_PER_SECOND: '100000' };
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    instances = await Promise.all(ports.map((port) => startRegistry({ redis, mosquitto, env: { ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' } })));
    client = await connectClient(mosquitto.url);
    log = await MessageLog.subscribe(client, 'registry/reply/#');
  });

  afterAll(async () => {
    await client?.endAsync();
    for (const instance of instances) await instance.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  it('3 000 registrations, 1 000 of them repeats: one reply each, one thingId per UUID, no id twice, load shared', async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => makeThing()));
    const uuids = Array.from({ length: 2000 }, () => randomUUID() as string);
    const body = (uuid: string, i: number) => JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: keys[i % keys.length]!.publicJwk, requestId: `s-${i}` });
    const requests = [...uuids.map((u, i) => ({ uuid: u, payload: body(u, i) })), ...uuids.slice(0, 1000).map((u, i) => ({ uuid: u, payload: body(u, i) }))];
    // Repeats are mixed in, some racing their first registration.
    for (let i = requests.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [requests[i], requests[j]] = [requests[j]!, requests[i]!];
    }
    for (let i = 0; i < requests.length; i += 250) {
      await Promise.all(requests.slice(i, i + 250).map((r) => client.publishAsync('register', r.payload, { qos: 1 })));
    }
    await log.waitForCount(() => true, 3000, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(log.messages).toHaveLength(3000);
    const ids = new Map<string, number>();
    const perUuid = new Map<string, number>();
    for (const m of log.messages) {
      const reply = registerThingResponseSchema.parse(m.json);
      perUuid.set(reply.uuid, (perUuid.get(reply.uuid) ?? 0) + 1);
      const seen = ids.get(reply.uuid);
      if (seen !== undefined) expect(reply.thingId).toBe(seen);
      ids.set(reply.uuid, reply.thingId);
    }
    expect(ids.size).toBe(2000);
    expect(new Set(ids.values()).size).toBe(2000);
    expect([...perUuid.values()].filter((n) => n === 2)).toHaveLength(1000);
    const live = await readConsistentThings(redis.url);
    expect(live.size).toBe(2000);

    // Every instance took a share (mosquitto spreads a shared subscription round-robin).
    const served = await Promise.all(
      ports.map(async (port) => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return Number(/^giotto_registry_requests_total\{operation="register",outcome="ok"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      }),
    );
    expect(served.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const count of served) expect(count).toBeGreaterThan(500);
  });
});
