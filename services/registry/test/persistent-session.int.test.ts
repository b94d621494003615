import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, MessageLog, TestMosquitto, TestRedis } from '@giotto/testkit';
import { registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, startRegistry } from './registry-under-test.js';

describe('persistent session and graceful stop (mosquitto, MQTT 5)', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let client: MqttClient;
  let log: MessageLog;
  const dataDir = mkdtempSync(join(tmpdir(), 'giotto-session-'));
  const env = { REGISTRY_CLIENT_ID: `registry-${randomUUID()}` };

  beforeAll(async () => {
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    client = await connectClient(mosquitto.url);
    log = await MessageLog.subscribe(client, ['registry/reply/#', 'registry/status']);
  });

  afterAll(async () => {
    await client?.endAsync();
    await mosquitto?.close();
    await redis?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves requests published while it was stopped once it is back, and says offline/online', async () => {
    const first = await startRegistry({ redis, mosquitto, env, dataDir });
    await log.waitFor((m) => m.topic === 'registry/status' && m.payload.toString() === 'online');
    await first.stop();
    await log.waitFor((m) => m.topic === 'registry/status' && m.payload.toString() === 'offline');

    const thing = await makeThing();
    await client.publishAsync('register', thing.request(), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(log.onTopic(`registry/reply/${thing.uuid}`)).toHaveLength(0);

    const second = await startRegistry({ redis, mosquitto, env, dataDir });
    const reply = await log.waitFor((m) => m.topic === `registry/reply/${thing.uuid}`, 5000);
    expect(registerThingResponseSchema.parse(reply.json).uuid).toBe(thing.uuid);
    await second.stop();
  });

  it('a stop under load answers what it took; the rest is answered by the next session, each exactly once', async () => {
    const registry = await startRegistry({ redis, mosquitto, env, dataDir });
    const key = await makeThing();
    const uuids = Array.from({ length: 150 }, () => randomUUID());
    const wanted = new Set(uuids.map((u) => `registry/reply/${u}`));
    const mark = log.messages.length;
    const ours = () => log.messages.slice(mark).filter((m) => wanted.has(m.topic));
    const sends = uuids.map((uuid) =>
      client.publishAsync('register', JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: key.publicJwk }), { qos: 1 }),
    );
    await log.waitFor((m) => log.messages.indexOf(m) >= mark && wanted.has(m.topic), 5000);
    await registry.stop();
    await Promise.all(sends);
    const answeredBeforeRestart = ours().length;

    const next = await startRegistry({ redis, mosquitto, env, dataDir });
    await log.waitForCount((m) => log.messages.indexOf(m) >= mark && wanted.has(m.topic), 150, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const replies = ours();
    expect(replies).toHaveLength(150);
    expect(new Set(replies.map((m) => m.topic)).size).toBe(150);
    for (const reply of replies) expect(registerThingResponseSchema.safeParse(reply.json).success).toBe(true);
    expect(answeredBeforeRestart).toBeGreaterThan(0);
    await next.stop();
  });
});
