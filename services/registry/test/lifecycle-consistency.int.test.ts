import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, generateThingKeyPair, MessageLog, TestMosquitto, TestRedis, type ReceivedMessage, type ThingKeyPair } from '@giotto/testkit';
import { registryEventSchema, thingRecordSchema, thumbprintOf, checkThingJwk } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { startRegistry, type RegistryUnderTest } from './registry-under-test.js';
import { readConsistentThings } from './redis-state.js';
import { deregisterBody, replaceBody, sign, updateKeyBody } from './signed-requests.js';

describe('two instances racing on the same Things, and what consumers see', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let instances: RegistryUnderTest[];
  let client: MqttClient;
  let log: MessageLog;
  let keys: ThingKeyPair[];
  let thumbprints: string[];

  beforeAll(async () => {
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    const env = { REGISTRY_SHARED_GROUP: 'registry' };
    instances = [await startRegistry({ redis, mosquitto, env }), await startRegistry({ redis, mosquitto, env })];
    client = await connectClient(mosquitto.url);
    log = await MessageLog.subscribe(client, ['registry/reply/#', 'registry/events/#']);
    keys = await Promise.all([0, 1, 2, 3].map(() => generateThingKeyPair()));
    thumbprints = await Promise.all(keys.map((k) => thumbprintOf(checkThingJwk(k.publicJwk))));
  });

  afterAll(async () => {
    await client?.endAsync();
    for (const instance of instances ?? []) await instance.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  const repliesOn = (uuid: string) => (m: ReceivedMessage) => m.topic === `registry/reply/${uuid}`;

  it('50 rounds of Replace, Register and UpdateKey fired at once at one Thing leave Redis consistent, one reply each', async () => {
    const [k0, k1, k2] = keys as [ThingKeyPair, ThingKeyPair, ThingKeyPair];
    const rounds = Array.from({ length: 50 }, (_, i) => ({ i, uuid: randomUUID(), newUuid: randomUUID() }));
    for (const round of rounds) {
      await client.publishAsync('register', JSON.stringify({ type: 'RegisterThingRequest', uuid: round.uuid, publicKey: k0.publicJwk }), { qos: 1 });
    }
    for (const round of rounds) await log.waitFor(repliesOn(round.uuid), 10_000);

    const messages = await Promise.all(
      rounds.map(async (r) => [
        ['replace', await sign(replaceBody(r.uuid, r.newUuid, k1.publicJwk, { requestId: `rep-${r.i}` }), k0.privateKey)],
        ['register', JSON.stringify({ type: 'RegisterThingRequest', uuid: r.uuid, publicKey: k0.publicJwk, requestId: `reg-${r.i}` })],
        ['update-key', await sign(updateKeyBody(r.uuid, k2.publicJwk, { requestId: `upd-${r.i}` }), k0.privateKey)],
      ]),
    );
    await Promise.all(messages.flat().map(([topic, payload]) => client.publishAsync(topic!, payload!, { qos: 1 })));

    for (const r of rounds) {
      for (const id of [`rep-${r.i}`, `reg-${r.i}`, `upd-${r.i}`]) {
        await log.waitFor((m) => repliesOn(r.uuid)(m) && (m.json as { requestId?: string }).requestId === id, 10_000, id);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const r of rounds) {
      const onOld = log.messages.filter(repliesOn(r.uuid)).map((m) => (m.json as { requestId?: string }).requestId);
      // the initial registration (no requestId) plus exactly one reply per raced request
      expect(onOld.sort()).toEqual([undefined, `rep-${r.i}`, `reg-${r.i}`, `upd-${r.i}`].sort());
      const onNew = log.messages.filter(repliesOn(r.newUuid));
      expect(onNew.length).toBeLessThanOrEqual(1);
      expect(onNew.every((m) => (m.json as { type: string }).type === 'ReplaceThingResponse')).toBe(true);
    }

    const live = await readConsistentThings(redis.url);
    for (const r of rounds) {
      const replaced = log.messages.some((m) => repliesOn(r.newUuid)(m));
      const holders = [...live.values()].filter((t) => t.uuid === r.uuid || t.uuid === r.newUuid);
      if (replaced) expect(holders.some((t) => t.uuid === r.newUuid && t.thumbprint === thumbprints[1])).toBe(true);
      else expect(holders.some((t) => t.uuid === r.uuid)).toBe(true);
    }
  });

  it('after 200 mixed operations a late subscriber sees exactly the live Things, and the events replay to them', async () => {
    type Held = { uuid: string; key: number };
    const held: Held[] = [];
    let ops = 0;
    const request = async (topic: string, payload: string, uuid: string): Promise<Record<string, unknown>> => {
      ops++;
      const requestId = `mix-${ops}`;
      const body = topic === 'register' ? JSON.stringify({ ...JSON.parse(payload), requestId }) : payload;
      await client.publishAsync(topic, body, { qos: 1 });
      const reply = await log.waitFor((m) => repliesOn(uuid)(m) && (m.json as { requestId?: string }).requestId === requestId, 10_000, requestId);
      return reply.json as Record<string, unknown>;
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    while (ops < 200) {
      const choice = held.length < 10 ? 0 : random(5);
      const requestId = `mix-${ops + 1}`;
      if (choice <= 1) {
        const uuid = randomUUID();
        const key = random(keys.length);
        const reply = await request('register', JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: keys[key]!.publicJwk }), uuid);
        expect(reply.type).toBe('RegisterThingResponse');
        held.push({ uuid, key });
        continue;
      }
      const index = random(held.length);
      const thing = held[index]!;
      const signer = keys[thing.key]!.privateKey;
      if (choice === 2) {
        const key = (thing.key + 1) % keys.length;
        const reply = await request('update-key', await sign(updateKeyBody(thing.uuid, keys[key]!.publicJwk, { requestId }), signer), thing.uuid);
        expect(reply.type).toBe('UpdateKeyResponse');
        thing.key = key;
      } else if (choice === 3) {
        const newUuid = randomUUID();
        const reply = await request('replace', await sign(replaceBody(thing.uuid, newUuid, keys[thing.key]!.publicJwk, { requestId }), signer), thing.uuid);
        expect(reply.type).toBe('ReplaceThingResponse');
        thing.uuid = newUuid;
      } else {
        const reply = await request('deregister', await sign(deregisterBody(thing.uuid, { requestId }), signer), thing.uuid);
        expect(reply.type).toBe('DeregisterThingResponse');
        held.splice(index, 1);
      }
    }

    // Wait until the outbox has published everything Redis holds.
    const live = await readConsistentThings(redis.url);
    expect([...live.values()].map((t) => t.uuid).filter((u) => held.some((h) => h.uuid === u)).length).toBe(held.length);
    const late = await connectClient(mosquitto.url);
    const lateLog = await MessageLog.subscribe(late, 'registry/things/+');
    await new Promise((r) => setTimeout(r, 1000));
    await late.endAsync();
    const retained = new Map<number, { uuid: string; thumbprint: string }>();
    for (const m of lateLog.messages) {
      const record = thingRecordSchema.parse(m.json);
      expect(m.topic).toBe(`registry/things/${record.thingId}`);
      retained.set(record.thingId, { uuid: record.uuid, thumbprint: record.thumbprint });
    }
    expect(lateLog.messages).toHaveLength(live.size);
    for (const [thingId, thing] of live) expect(retained.get(thingId)).toEqual({ uuid: thing.uuid, thumbprint: thing.thumbprint });

    // Replaying every event seen (dropping repeats by outbox id) gives the same state.
    const state = new Map<number, { uuid: string; thumbprint: string }>();
    const seen = new Set<string>();
    for (const m of log.messages.filter((x) => x.topic.startsWith('registry/events/'))) {
      const event = registryEventSchema.parse(m.json);
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      switch (event.type) {
        case 'ThingRegistered':
        case 'ThingReplaced':
        case 'ThingKeyUpdated':
          state.set(event.thingId, { uuid: event.uuid, thumbprint: event.thumbprint });
          break;
        case 'ThingDeregistered':
          state.delete(event.thingId);
          break;
        default:
          break;
      }
    }
    expect(state).toEqual(retained);
  });
});
