import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MessageLog, TestRedis, connectClient } from '@giotto/testkit';
import { errorMessageSchema, registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, startRegistry, type RegistryUnderTest } from './registry-under-test.js';

describe('durability of acknowledged registrations', () => {
  it('appendonly + appendfsync always: every acknowledged registration survives redis-server SIGKILL', async () => {
    const redis = await TestRedis.start({ durable: true });
    const registry = await startRegistry({ redis });
    const client = await connectClient(registry.mqttUrl, { protocolVersion: 4 });
    try {
      const log = await MessageLog.subscribe(client, 'registry/reply/#');
      const key = await makeThing();
      const uuids = Array.from({ length: 200 }, () => randomUUID() as string);
      await Promise.all(uuids.map((u) => client.publishAsync('register', JSON.stringify({ type: 'RegisterThingRequest', uuid: u, publicKey: key.publicJwk }), { qos: 1 })));
      const replies = await log.waitForCount(() => true, uuids.length);
      await redis.stop('SIGKILL'); // the very moment the last reply arrived
      await redis.restart();
      const direct = new Redis(redis.url);
      try {
        for (const reply of replies) {
          const { uuid, thingId } = registerThingResponseSchema.parse(reply.json);
          expect(Number(await direct.get(`giotto:{registry}:thing:uuid:${uuid}`))).toBe(thingId);
        }
      } finally {
        direct.disconnect();
      }
    } finally {
      await client.endAsync();
      await registry.stop();
      await redis.close();
    }
  });

  describe('REDIS_WAIT_REPLICAS=1 with a real replica', () => {
    let primary: TestRedis;
    let replica: TestRedis;
    let registry: RegistryUnderTest;
    let client: MqttClient;
    let log: MessageLog;

    beforeAll(async () => {
      primary = await TestRedis.start();
      replica = await TestRedis.start();
      const direct = new Redis(replica.url);
      await direct.replicaof('127.0.0.1', primary.port);
      for (let i = 0; i < 100 && (await direct.info('replication')).includes('master_link_status:down'); i++) await new Promise((r) => setTimeout(r, 100));
      direct.disconnect();
      registry = await startRegistry({ redis: primary, env: { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '300' } });
      client = await connectClient(registry.mqttUrl, { protocolVersion: 4 });
      log = await MessageLog.subscribe(client, 'registry/reply/#');
    });

    afterAll(async () => {
      await client?.endAsync();
      await registry?.stop();
      await replica?.close();
      await primary?.close();
    });

    it('a registration is acknowledged once the replica has it', async () => {
      const thing = await makeThing();
      await client.publishAsync('register', thing.request(), { qos: 1 });
      const reply = registerThingResponseSchema.parse((await log.waitFor((m) => m.topic === `registry/reply/${thing.uuid}`)).json);
      const onReplica = new Redis(replica.url);
      try {
        expect(Number(await onReplica.get(`giotto:{registry}:thing:uuid:${thing.uuid}`))).toBe(reply.thingId);
      } finally {
        onReplica.disconnect();
      }
    });

    it('without the replica, the answer is UNAVAILABLE (retryable), not a success', async () => {
      await replica.stop('SIGKILL');
      const thing = await makeThing();
      await client.publishAsync('register', thing.request(), { qos: 1 });
      const reply = await log.waitFor((m) => m.topic === `registry/reply/${thing.uuid}`);
      expect(errorMessageSchema.parse(reply.json)).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(errorMessageSchema.parse(reply.json).message).toMatch(/0 of 1 Redis replicas/);
    });
  });
});
