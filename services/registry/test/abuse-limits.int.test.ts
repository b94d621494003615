import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis, type MessageLog } from '@giotto/testkit';
import { errorMessageSchema, registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, observer, startRegistry, type RegistryUnderTest } from './registry-under-test.js';

describe('abuse limits answered with RATE_LIMITED and retryAfterMs', () => {
  let redis: TestRedis;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;

  beforeAll(async () => {
    redis = await TestRedis.start();
    registry = await startRegistry({
      redis,
      env: { REGISTRY_RATE_LIMIT_PER_THING_PER_MINUTE: '6', REGISTRY_RATE_LIMIT_PER_THING_BURST: '3', REGISTRY_RATE_LIMIT_PER_SECOND: '40', NODE_RATE_LIMIT_PER_SECOND: '5' },
    });
    ({ client, log } = await observer(registry));
    await client.subscribeAsync('nodes/register/+/reply', { qos: 1 });
  });

  afterAll(async () => {
    await client?.endAsync();
    await registry?.stop();
    await redis?.close();
  });

  it('one Thing past its burst is told to wait; another Thing is still served', async () => {
    const thing = await makeThing();
    for (let i = 0; i < 5; i++) await client.publishAsync('register', thing.request({ requestId: `t-${i}` }), { qos: 1 });
    const replies = await log.waitForCount((m) => m.topic === `registry/reply/${thing.uuid}`, 5);
    const limited = replies.map((r) => r.json as { type: string }).filter((r) => r.type === 'Error');
    expect(replies.length - limited.length).toBe(3);
    for (const error of limited) {
      expect(errorMessageSchema.parse(error)).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect(errorMessageSchema.parse(error).retryAfterMs).toBeGreaterThan(0);
    }
    const other = await makeThing();
    await client.publishAsync('register', other.request(), { qos: 1 });
    const served = await log.waitFor((m) => m.topic === `registry/reply/${other.uuid}`);
    expect(registerThingResponseSchema.safeParse(served.json).success).toBe(true);
  });

  it('the instance-wide limit holds across many Things', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // refill
    const key = await makeThing();
    const things = Array.from({ length: 80 }, () => ({ uuid: randomUUID() }));
    await Promise.all(things.map((t) => client.publishAsync('register', JSON.stringify({ type: 'RegisterThingRequest', uuid: t.uuid, publicKey: key.publicJwk }), { qos: 1 })));
    const replies = await log.waitForCount((m) => things.some((t) => m.topic === `registry/reply/${t.uuid}`), 80);
    const limited = replies.filter((r) => (r.json as { code?: string }).code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(20);
    expect(replies.length - limited.length).toBeLessThan(60);
  });

  it('node frames past their rate are answered 503 busy', async () => {
    const tokens = Array.from({ length: 12 }, () => randomBytes(9).toString('base64url'));
    await Promise.all(tokens.map((t) => client.publishAsync(`nodes/register/${t}`, randomBytes(256), { qos: 1 })));
    const replies = await log.waitForCount((m) => tokens.some((t) => m.topic === `nodes/register/${t}/reply`), 12);
    const statuses = replies.map((r) => `${r.payload.readUInt16LE(0)} ${r.payload.subarray(2).toString()}`);
    expect(statuses.filter((s) => s === '503 registry busy; retry later').length).toBeGreaterThanOrEqual(6);
    expect(statuses.filter((s) => s === '400 invalid registration request').length).toBeGreaterThanOrEqual(1);
  });
});
