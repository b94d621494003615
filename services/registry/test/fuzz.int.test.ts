import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connectClient, freePort, generateThingKeyPair, MessageLog, TestMosquitto, TestRedis } from '@giotto/testkit';
import { encodeRequestBody, encryptRequest, registerThingResponseSchema, signRequest } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { startRegistry, type RegistryUnderTest } from './registry-under-test.js';
import { readConsistentThings } from './redis-state.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A small seeded PRNG, so a failing run can be replayed with FUZZ_SEED. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}

const TOTAL = Number(process.env.FUZZ_COUNT ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

describe(`fuzz: ${TOTAL} random and mutated payloads on every request topic and the node topic (seed ${SEED})`, () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let httpPort: number;
  const failures: unknown[] = [];
  const onFailure = (err: unknown) => failures.push(err);

  beforeAll(async () => {
    process.on('unhandledRejection', onFailure);
    process.on('uncaughtException', onFailure);
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start({ config: 'message_size_limit 100000\n' });
    httpPort = await freePort();
    registry = await startRegistry({
      redis,
      mosquitto,
      env: {
        HTTP_PORT: String(httpPort),
        HTTP_HOST: '127.0.0.1',
        REGISTRY_RATE_LIMIT_PER_SECOND: '1000000',
        REGISTRY_RATE_LIMIT_PER_THING_PER_MINUTE: '1000000',
        REGISTRY_RATE_LIMIT_PER_THING_BURST: '1000000',
        REGISTRY_MAX_IN_FLIGHT: '100000',
        NODE_RATE_LIMIT_PER_SECOND: '1000000',
        NODE_MAX_PENDING: '100000',
      },
    });
    client = await connectClient(mosquitto.url);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onFailure);
    process.off('uncaughtException', onFailure);
    await client?.endAsync();
    await registry?.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  it('no crash, no unhandled rejection, no prototype pollution, memory steady, and a good request is served after', { timeout: 240_000 }, async () => {
    const rand = prng(SEED);
    const thing = await generateThingKeyPair();
    const uuid = randomUUID();
    const nodeKey = registry.app.nodePublicKeyPem;
    const validRegister = JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: thing.publicJwk, requestId: 'r' });
    const validJws = await signRequest({ type: 'DeregisterThingRequest', uuid, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }, thing.privateKey);
    const validFrame = Buffer.from(encryptRequest(encodeRequestBody({
      nodeId: undefined, networkId: randomUUID(), networkPhrase: Buffer.alloc(16, 3), nodeKey: Buffer.alloc(32, 1), nodeType: 2, nodeArch: 2,
    }), nodeKey, 'sha256'));
    // The fuzzed Thing is registered, so mutated signed requests reach signature verification.
    const setup = await MessageLog.subscribe(client, `registry/reply/${uuid}`);
    await client.publishAsync('register', validRegister, { qos: 1 });
    registerThingResponseSchema.parse((await setup.waitFor(() => true)).json);
    await client.unsubscribeAsync(`registry/reply/${uuid}`);
    const anything = fc.sample(fc.anything({ withObjectString: true, withNullPrototype: true }), 500);
    const mutate = (text: string | Buffer): Buffer => {
      const b = Buffer.from(text);
      for (let i = rand.int(6); i >= 0 && b.length > 0; i--) b[rand.int(b.length)] = rand.int(256);
      return rand.int(4) === 0 ? Buffer.concat([b.subarray(0, rand.int(b.length + 1)), rand.bytes(rand.int(40))]) : b;
    };
    const generators: (() => [string, Buffer])[] = [
      () => [rand.pick(['register', 'deregister', 'replace', 'update-key']), rand.bytes(rand.int(600))],
      () => ['register', mutate(validRegister)],
      () => [rand.pick(['deregister', 'replace', 'update-key']), mutate(validJws)],
      () => {
        const [h, p, s] = validJws.split('.');
        const header = Buffer.from(JSON.stringify(rand.pick([{ alg: 'none' }, { alg: 'HS256' }, { alg: 'RS256', crit: ['x'] }, { alg: 'RS256', kid: 'operator:x' }, { __proto__: { polluted: 1 }, alg: 'RS256' }]))).toString('base64url');
        return ['deregister', Buffer.from(rand.pick([`${header}.${p}.${s}`, `${h}.${p}.`, `${h}..${s}`, `${h}.${p}.${s}.${s}`]))];
      },
      () => [rand.pick(['register', 'deregister']), Buffer.from(JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: rand.pick(anything), requestId: rand.pick(anything), __proto__: { polluted: 1 } }) ?? 'null')],
      () => ['register', Buffer.from(`{"type":"RegisterThingRequest","uuid":"${uuid}","constructor":{"prototype":{"polluted":1}},"__proto__":{"polluted":1},"publicKey":${JSON.stringify(thing.publicJwk)}}`)],
      () => ['register', Buffer.from(JSON.stringify(rand.pick(anything)) ?? 'null')],
      () => ['register', Buffer.from('['.repeat(5000))],
      () => ['register', rand.bytes(17_000)],
      () => [`nodes/register/${randomUUID().slice(0, 8 + rand.int(20))}`, rand.pick([rand.bytes(256), rand.bytes(rand.int(400)), mutate(validFrame)])],
      () => [`nodes/register/${rand.pick(['x', 'bad token', 'a'.repeat(70), '+', 'tok.en'])}`, rand.bytes(256)],
    ];

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    let sent = 0;
    while (sent < TOTAL) {
      const batch = Array.from({ length: Math.min(500, TOTAL - sent) }, () => rand.pick(generators)());
      await Promise.all(batch.map(([topic, payload]) => client.publishAsync(topic.includes('+') ? 'nodes/register/plus' : topic, payload, { qos: 1 }).catch(() => undefined)));
      sent += batch.length;
    }
    // Wait until everything taken has been answered.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      const served = [...metrics.matchAll(/^giotto_registry_requests_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
      const dropped = Number(/^giotto_registry_node_frames_dropped_total (\d+)$/m.exec(metrics)?.[1] ?? 0);
      if (served + dropped >= TOTAL + 1 && /^giotto_registry_requests_in_flight 0$/m.test(metrics)) break;
      if (Date.now() > deadline) throw new Error(`only ${served + dropped} of ${TOTAL} handled`);
      await new Promise((r) => setTimeout(r, 250));
    }

    expect(failures).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    gc();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    expect(growth).toBeLessThan(64 * 1024 * 1024);

    // A good request is still served, and Redis is consistent.
    const good = randomUUID();
    const log = await MessageLog.subscribe(client, `registry/reply/${good}`);
    await client.publishAsync('register', JSON.stringify({ type: 'RegisterThingRequest', uuid: good, publicKey: thing.publicJwk }), { qos: 1 });
    expect(registerThingResponseSchema.parse((await log.waitFor(() => true)).json).uuid).toBe(good);
    await readConsistentThings(redis.url);
  });
});
