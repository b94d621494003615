import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, freePort, TestMosquitto, TestRedis } from '@giotto/testkit';
import { createLogger, loadConfig, startApp, type RunningApp } from '@giotto/registry';
import { generateThingKeys, loadOrCreateThingKeys, RegistryClient, RegistryError, RegistryTimeoutError, watchRegistry, type RegistryUpdate } from '../src/index.js';

async function startRegistry(env: Record<string, string>): Promise<RunningApp> {
  const config = loadConfig({ REGISTRY_CLIENT_ID: `sdk-${randomUUID()}`, LOG_LEVEL: 'silent', HTTP_PORT: '0', ...env });
  return startApp(config, createLogger('silent'));
}

describe('the client SDK against real servers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'giotto-sdk-'));
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let app: RunningApp;
  let client: RegistryClient;

  beforeAll(async () => {
    redis = await TestRedis.start({ durable: true });
    mosquitto = await TestMosquitto.start();
    app = await startRegistry({ MQTT_URL: mosquitto.url, REDIS_URL: redis.url, REGISTRY_DATA_DIR: dir });
    client = await RegistryClient.connect(mosquitto.url, { timeoutMs: 3000 });
  });

  afterAll(async () => {
    await client?.close();
    await app?.stop();
    await mosquitto?.close();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers, and registers again with the same thingId (key kept in a 0600 file)', async () => {
    const keys = await loadOrCreateThingKeys(join(dir, 'thing.jwk'));
    expect(statSync(join(dir, 'thing.jwk')).mode & 0o777).toBe(0o600);
    const uuid = randomUUID();
    const first = await client.registerThing({ uuid, keys });
    expect(first).toMatchObject({ type: 'RegisterThingResponse', uuid });
    expect(first.registryPublicKey).toBe(app.registryPublicKeyJson);
    const reloaded = await loadOrCreateThingKeys(join(dir, 'thing.jwk'));
    expect((await client.registerThing({ uuid, keys: reloaded, proof: true })).thingId).toBe(first.thingId);
  });

  it('throws RegistryError with the wire code for a refusal (no retry)', async () => {
    const uuid = randomUUID();
    await client.registerThing({ uuid, keys: await generateThingKeys() });
    const error = await client.registerThing({ uuid, keys: await generateThingKeys() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'KEY_MISMATCH', retryable: false });
  });

  it('runs the signed operations: update-key, replace, deregister', async () => {
    const uuid = randomUUID();
    const keys = await generateThingKeys();
    const { thingId } = await client.registerThing({ uuid, keys });
    const keys2 = await generateThingKeys();
    expect((await client.updateKey({ uuid, newPublicJwk: keys2.publicJwk, signer: keys2 }).catch((e: unknown) => e))).toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect(await client.updateKey({ uuid, newPublicJwk: keys2.publicJwk, signer: keys })).toMatchObject({ thingId });
    const newUuid = randomUUID();
    const keys3 = await generateThingKeys();
    expect(await client.replaceThing({ uuid, newUuid, newPublicJwk: keys3.publicJwk, signer: keys2 })).toMatchObject({ uuid: newUuid, oldUuid: uuid, thingId });
    expect(await client.deregisterThing({ uuid: newUuid, signer: keys3 })).toMatchObject({ uuid: newUuid, thingId });
  });

  it('retries after UNAVAILABLE and succeeds once Redis is back', async () => {
    const retrying = await RegistryClient.connect(mosquitto.url, { timeoutMs: 3000, retries: 8, backoffMs: 150 });
    try {
      await redis.stop('SIGKILL');
      setTimeout(() => void redis.restart(), 700);
      const uuid = randomUUID();
      const started = Date.now();
      const reply = await retrying.registerThing({ uuid, keys: await generateThingKeys() });
      expect(reply.uuid).toBe(uuid);
      expect(Date.now() - started).toBeGreaterThan(500); // it had to wait for Redis
    } finally {
      if (!redis.isRunning) await redis.restart();
      await retrying.close();
    }
  });

  it('with no retries left, UNAVAILABLE is thrown as a retryable RegistryError', async () => {
    const once = await RegistryClient.connect(mosquitto.url, { timeoutMs: 3000, retries: 0 });
    try {
      await redis.stop('SIGKILL');
      const error = await once.registerThing({ uuid: randomUUID(), keys: await generateThingKeys() }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    } finally {
      await redis.restart();
      await once.close();
    }
  });

  it('times out when no registry is running', async () => {
    const lonely = await TestMosquitto.start();
    const nobody = await RegistryClient.connect(lonely.url, { timeoutMs: 300, retries: 1 });
    try {
      const started = Date.now();
      const error = await nobody.registerThing({ uuid: randomUUID(), keys: await generateThingKeys() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550); // two attempts of 300 ms
    } finally {
      await nobody.close();
      await lonely.close();
    }
  });

  it('watchRegistry yields the existing Things, then new records and events', async () => {
    const existing = randomUUID();
    const keys = await generateThingKeys();
    const { thingId } = await client.registerThing({ uuid: existing, keys });
    await new Promise((r) => setTimeout(r, 300)); // let the outbox publish the retained record

    const consumer = await connectClient(mosquitto.url);
    const watcher = await watchRegistry(consumer);
    const seen: RegistryUpdate[] = [];
    const collecting = (async () => {
      for await (const update of watcher) seen.push(update);
    })();
    const until = async (match: (u: RegistryUpdate) => boolean) => {
      const deadline = Date.now() + 5000;
      while (!seen.some(match)) {
        if (Date.now() > deadline) throw new Error('update not seen');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until((u) => u.type === 'thing' && u.record.thingId === thingId && u.retained);
    expect(watcher.things.get(thingId)?.uuid).toBe(existing);

    const fresh = randomUUID();
    const created = await client.registerThing({ uuid: fresh, keys });
    await until((u) => u.type === 'event' && u.event.type === 'ThingRegistered' && u.event.uuid === fresh);
    await client.deregisterThing({ uuid: fresh, signer: keys });
    await until((u) => u.type === 'removed' && u.thingId === created.thingId);
    await until((u) => u.type === 'event' && u.event.type === 'ThingDeregistered' && u.event.thingId === created.thingId);
    expect(watcher.things.has(created.thingId)).toBe(false);
    await watcher.close();
    await collecting;
    await consumer.endAsync();
  });

  it('speaks MQTT 3.1.1 with the embedded aedes broker, correlating by requestId', async () => {
    const port = await freePort();
    const embedded = await startRegistry({ REDIS_URL: redis.url, REGISTRY_DATA_DIR: dir, EMBEDDED_BROKER_PORT: String(port), REGISTRY_TOPIC_PREFIX: 'v4/' });
    const v4 = await RegistryClient.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, topicPrefix: 'v4/' });
    try {
      expect((await v4.registerThing({ uuid: randomUUID(), keys: await generateThingKeys() })).type).toBe('RegisterThingResponse');
    } finally {
      await v4.close();
      await embedded.stop();
    }
  });
});
