import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis, type ReceivedMessage } from '@giotto/testkit';
import { errorMessageSchema, registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import type { MessageLog } from '@giotto/testkit';
import { makeThing, observer, startRegistry, type RegistryUnderTest } from './registry-under-test.js';

describe('Redis goes away and comes back (real redis-server stopped and restarted)', () => {
  let redis: TestRedis;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;

  beforeAll(async () => {
    redis = await TestRedis.start({ durable: true });
    registry = await startRegistry({ redis });
    ({ client, log } = await observer(registry));
  });

  afterAll(async () => {
    await client?.endAsync();
    await registry?.stop();
    await redis?.close();
  });

  const replyFor = (uuid: string, after: number) => (m: ReceivedMessage) =>
    log.messages.indexOf(m) >= after && m.topic === `registry/reply/${uuid}`;

  it('answers UNAVAILABLE (retryable) within about a second, keeps serving, and recovers by itself', async () => {
    const known = await makeThing();
    let mark = log.messages.length;
    await client.publishAsync('register', known.request(), { qos: 1 });
    const first = registerThingResponseSchema.parse((await log.waitFor(replyFor(known.uuid, mark))).json);

    await redis.stop('SIGKILL');
    const thing = await makeThing();
    mark = log.messages.length;
    const sentAt = Date.now();
    await client.publishAsync('register', thing.request({ requestId: 'down-1' }), { qos: 1 });
    const error = errorMessageSchema.parse((await log.waitFor(replyFor(thing.uuid, mark), 5000)).json);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, requestId: 'down-1' });
    expect(Date.now() - sentAt).toBeLessThan(2500);

    // Several requests while it is down all get their answer: nothing stalls.
    mark = log.messages.length;
    const others = await Promise.all([1, 2, 3].map(() => makeThing()));
    await Promise.all(others.map((t) => client.publishAsync('register', t.request(), { qos: 1 })));
    for (const t of others) expect(errorMessageSchema.parse((await log.waitFor(replyFor(t.uuid, mark))).json).code).toBe('UNAVAILABLE');

    await redis.restart();
    const deadline = Date.now() + 10_000;
    let served: unknown;
    while (Date.now() < deadline) {
      mark = log.messages.length;
      await client.publishAsync('register', thing.request(), { qos: 1 });
      const reply = await log.waitFor(replyFor(thing.uuid, mark), 3000);
      if ((reply.json as { type: string }).type === 'RegisterThingResponse') {
        served = reply.json;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(registerThingResponseSchema.parse(served).uuid).toBe(thing.uuid);
    // The durable Redis kept the earlier registration.
    mark = log.messages.length;
    await client.publishAsync('register', known.request(), { qos: 1 });
    expect(registerThingResponseSchema.parse((await log.waitFor(replyFor(known.uuid, mark))).json).thingId).toBe(first.thingId);
  });
});
