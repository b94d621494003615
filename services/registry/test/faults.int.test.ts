import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connectClient, MessageLog, TestMosquitto, TestRedis, type ReceivedMessage } from '@giotto/testkit';
import { errorMessageSchema, registerThingResponseSchema } from '@giotto/protocol';
import { makeThing, startRegistry, type RegistryUnderTest } from './registry-under-test.js';
import { RegistryProcess } from './registry-process.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const replyUuid = (m: ReceivedMessage) => m.topic.slice('registry/reply/'.length);
const registerBody = (uuid: string, publicKey: unknown) => JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey });

describe('faults with real processes killed and restarted', () => {
  it('Redis SIGKILLed mid-load: one reply per request (success or retryable UNAVAILABLE), every success durable, no id twice', async () => {
    const redis = await TestRedis.start({ durable: true });
    cleanup.push(() => redis.close());
    const registry = await startRegistry({ redis, env: { REGISTRY_RATE_LIMIT_PER_SECOND: '100000' } });
    cleanup.push(() => registry.stop());
    const client = await connectClient(registry.mqttUrl, { protocolVersion: 4 });
    cleanup.push(() => client.endAsync());
    const log = await MessageLog.subscribe(client, 'registry/reply/#');
    const key = await makeThing();
    const uuids: string[] = [];
    for (let batch = 0; batch < 24; batch++) {
      if (batch === 8) await redis.stop('SIGKILL');
      if (batch === 14) await redis.restart();
      const round = Array.from({ length: 20 }, () => randomUUID() as string);
      uuids.push(...round);
      await Promise.all(round.map((u) => client.publishAsync('register', registerBody(u, key.publicJwk), { qos: 1 })));
      await new Promise((r) => setTimeout(r, 40));
    }
    const replies = await log.waitForCount(() => true, uuids.length, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(log.messages).toHaveLength(uuids.length); // exactly one each
    expect(new Set(replies.map(replyUuid))).toEqual(new Set(uuids));

    const successes = new Map<string, number>();
    let unavailable = 0;
    for (const reply of replies) {
      const ok = registerThingResponseSchema.safeParse(reply.json);
      if (ok.success) successes.set(ok.data.uuid, ok.data.thingId);
      else {
        expect(errorMessageSchema.parse(reply.json)).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
        unavailable++;
      }
    }
    expect(unavailable).toBeGreaterThan(0);
    expect(successes.size).toBeGreaterThan(uuids.length / 2);
    expect(new Set(successes.values()).size).toBe(successes.size);
    const direct = new Redis(redis.url);
    cleanup.push(async () => direct.disconnect());
    for (const [uuid, thingId] of successes) expect(Number(await direct.get(`giotto:{registry}:thing:uuid:${uuid}`))).toBe(thingId);
  });

  it('the broker restarted: the registry reconnects and resubscribes, and serves what was published while it was away', async () => {
    const redis = await TestRedis.start();
    cleanup.push(() => redis.close());
    const dir = mkdtempSync(join(tmpdir(), 'giotto-broker-'));
    const mosquitto = await TestMosquitto.start({
      replaceDefaults: true,
      config: `allow_anonymous true\nset_tcp_nodelay true\npersistence true\npersistence_location ${dir}/\nmax_queued_messages 100000\n`,
    });
    cleanup.push(() => mosquitto.close());
    const { freePort } = await import('@giotto/testkit');
    const httpPort = await freePort();
    const registry = await startRegistry({ redis, mosquitto, env: { HTTP_PORT: String(httpPort), HTTP_HOST: '127.0.0.1' } });
    cleanup.push(() => registry.stop());
    const client = await mqtt.connectAsync(mosquitto.url, {
      protocolVersion: 5, clientId: `fault-client-${randomUUID()}`, clean: false, reconnectPeriod: 100, properties: { sessionExpiryInterval: 600 },
    });
    cleanup.push(() => client.endAsync(true));
    const log = await MessageLog.subscribe(client, 'registry/reply/#');
    const key = await makeThing();
    const first = randomUUID();
    await client.publishAsync('register', registerBody(first, key.publicJwk), { qos: 1 });
    await log.waitFor((m) => replyUuid(m) === first);

    await mosquitto.stop('SIGTERM');
    await mosquitto.restart();
    await new Promise<void>((r) => (client.connected ? r() : client.once('connect', () => r())));
    const registryWasAway = (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status === 503;
    const during = Array.from({ length: 30 }, () => randomUUID() as string);
    await Promise.all(during.map((u) => client.publishAsync('register', registerBody(u, key.publicJwk), { qos: 1 })));
    const replies = await log.waitForCount((m) => during.includes(replyUuid(m)), during.length, 15_000);
    for (const reply of replies) expect(registerThingResponseSchema.safeParse(reply.json).success).toBe(true);
    expect(registryWasAway).toBe(true); // the requests were published before the registry was back
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^giotto_registry_reconnects_total\{dependency="mqtt"\} 2$/m); // the session and the publisher
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200);
    // The retained status says online again (the broker may have published the will meanwhile).
    const late = await connectClient(mosquitto.url);
    cleanup.push(() => late.endAsync());
    const statusLog = await MessageLog.subscribe(late, 'registry/status');
    expect((await statusLog.waitFor(() => true)).payload.toString()).toBe('online');
  });

  it('one of two instances SIGKILLed mid-load: the other keeps serving; restarted, it serves what waited in its session', async () => {
    const redis = await TestRedis.start();
    cleanup.push(() => redis.close());
    const mosquitto = await TestMosquitto.start();
    cleanup.push(() => mosquitto.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'giotto-two-'));
    const env = (id: string) => ({ MQTT_URL: mosquitto.url, REDIS_URL: redis.url, REGISTRY_DATA_DIR: dataDir, REGISTRY_SHARED_GROUP: 'g', REGISTRY_CLIENT_ID: id });
    const aId = `a-${randomUUID()}`;
    let a = await RegistryProcess.start(env(aId));
    cleanup.push(() => a.kill('SIGKILL'));
    const b = await RegistryProcess.start(env(`b-${randomUUID()}`));
    cleanup.push(() => b.kill('SIGKILL'));
    const servedByB = async () => {
      const text = await (await fetch(`http://127.0.0.1:${b.httpPort}/metrics`)).text();
      return Number(/^giotto_registry_requests_total\{operation="register",outcome="ok"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const { RegistryClient, generateThingKeys } = await import('../../../packages/client/src/index.js');
    // Half the requests go to the dead instance's session (mosquitto keeps it in the group): a short
    // timeout lets the idempotent registration be retried, which reaches the survivor half the time.
    const client = await RegistryClient.connect(mosquitto.url, { timeoutMs: 700, retries: 10, backoffMs: 50 });
    cleanup.push(() => client.close());
    const keys = await generateThingKeys();
    const uuids = Array.from({ length: 240 }, () => randomUUID() as string);
    const results = new Map<string, number>();
    let next = 0;
    let bWhileADown = 0;
    const killAndRestart = async () => {
      const before = await servedByB();
      await a.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 2000));
      bWhileADown = (await servedByB()) - before;
      a = await RegistryProcess.start(env(aId)); // a supervisor brings it back with its client id
    };
    let restarting: Promise<void> | undefined;
    const worker = async () => {
      while (next < uuids.length) {
        const uuid = uuids[next++]!;
        if (next === 80) restarting = killAndRestart();
        results.set(uuid, (await client.registerThing({ uuid, keys })).thingId);
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    await restarting;
    expect(bWhileADown).toBeGreaterThan(0); // the survivor kept serving
    expect(results.size).toBe(uuids.length);
    expect(new Set(results.values()).size).toBe(uuids.length);
    expect(await b.ready()).toBe(true);
    expect(await a.ready()).toBe(true);
  });

  it('SIGTERM: the requests it took are answered before it exits 0; the rest by the next session, each once', async () => {
    const redis = await TestRedis.start();
    cleanup.push(() => redis.close());
    const mosquitto = await TestMosquitto.start();
    cleanup.push(() => mosquitto.close());
    const env = { MQTT_URL: mosquitto.url, REDIS_URL: redis.url, REGISTRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'giotto-term-')), REGISTRY_CLIENT_ID: `term-${randomUUID()}` };
    const first = await RegistryProcess.start(env);
    cleanup.push(() => first.kill('SIGKILL'));
    const client = await connectClient(mosquitto.url);
    cleanup.push(() => client.endAsync());
    const log = await MessageLog.subscribe(client, 'registry/reply/#');
    const key = await makeThing();
    const uuids = Array.from({ length: 300 }, () => randomUUID() as string);
    const sending = Promise.all(uuids.map((u) => client.publishAsync('register', registerBody(u, key.publicJwk), { qos: 1 })));
    await log.waitFor(() => true, 5000);
    const code = await first.kill('SIGTERM');
    expect(code, first.logs).toBe(0);
    await sending;
    const answeredByFirst = log.messages.length;
    expect(answeredByFirst).toBeGreaterThan(0);

    const second = await RegistryProcess.start(env);
    cleanup.push(() => second.kill('SIGKILL'));
    await log.waitForCount(() => true, uuids.length, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(log.messages).toHaveLength(uuids.length);
    expect(new Set(log.messages.map(replyUuid))).toEqual(new Set(uuids));
    for (const m of log.messages) expect(registerThingResponseSchema.safeParse(m.json).success).toBe(true);
  });
});
