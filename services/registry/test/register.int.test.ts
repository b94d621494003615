import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, MessageLog, rsaJwkPair, TestMosquitto, TestRedis, type ReceivedMessage } from '@giotto/testkit';
import { errorMessageSchema, registerThingResponseSchema, thingRecordSchema, thingRegisteredSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, observer, startRegistry, type BrokerKind, type RegistryUnderTest } from './registry-under-test.js';

const isReplyTo = (uuid: string) => (m: ReceivedMessage) => m.topic === `registry/reply/${uuid.toLowerCase()}`;

describe.each<BrokerKind>(['mosquitto', 'aedes'])('RegisterThing through %s and a real redis-server', (brokerKind) => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto | undefined;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;

  beforeAll(async () => {
    redis = await TestRedis.start();
    if (brokerKind === 'mosquitto') mosquitto = await TestMosquitto.start();
    registry = await startRegistry({ redis, ...(mosquitto ? { mosquitto } : {}) });
    ({ client, log } = await observer(registry));
  });

  afterAll(async () => {
    await client?.endAsync();
    await registry?.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  async function register(body: string, uuid: string): Promise<ReceivedMessage> {
    const before = log.messages.length;
    await client.publishAsync('register', body, { qos: 1 });
    return log.waitFor((m) => log.messages.indexOf(m) >= before && isReplyTo(uuid)(m), 5000, `reply for ${uuid}`);
  }

  it('publishes its public key and online status, retained', async () => {
    const key = await log.waitFor((m) => m.topic === 'registry/public-key');
    expect(key.packet.retain).toBe(true);
    expect(JSON.parse(key.payload.toString())).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(JSON.parse(key.payload.toString())).not.toHaveProperty('d');
    const status = await log.waitFor((m) => m.topic === 'registry/status');
    expect(status.payload.toString()).toBe('online');
  });

  it('registers a Thing, replies on its reply topic, publishes the event and the retained record', async () => {
    const thing = await makeThing();
    const reply = await register(thing.request({ requestId: 'r-1' }), thing.uuid);
    const body = registerThingResponseSchema.parse(reply.json);
    expect(body).toMatchObject({ uuid: thing.uuid, publicKey: thing.publicJwk, requestId: 'r-1' });
    expect(body.registryPublicKey).toBe(registry.app.registryPublicKeyJson);

    const record = await log.waitFor((m) => m.topic === `registry/things/${body.thingId}`);
    expect(record.packet.retain).toBe(false); // a live subscriber gets it as a normal publish
    const parsed = thingRecordSchema.parse(record.json);
    expect(parsed).toMatchObject({ thingId: body.thingId, uuid: thing.uuid, publicKey: { kty: 'RSA', n: thing.publicJwk.n, e: 'AQAB' } });
    const event = await log.waitFor((m) => m.topic === 'registry/events/registered' && (m.json as { uuid?: string }).uuid === thing.uuid);
    expect(thingRegisteredSchema.parse(event.json)).toMatchObject({ thingId: body.thingId, thumbprint: parsed.thumbprint });

    // A late subscriber finds the retained record.
    const late = await connectClient(registry.mqttUrl, { protocolVersion: registry.protocolVersion });
    const lateLog = await MessageLog.subscribe(late, `registry/things/${body.thingId}`);
    const retained = await lateLog.waitFor(() => true);
    expect(retained.packet.retain).toBe(true);
    expect(thingRecordSchema.parse(retained.json).uuid).toBe(thing.uuid);
    await late.endAsync();
  });

  it('gives the same thingId to the same UUID and key, without a new event', async () => {
    const thing = await makeThing();
    const first = registerThingResponseSchema.parse((await register(thing.request(), thing.uuid)).json);
    const again = registerThingResponseSchema.parse((await register(thing.request(), thing.uuid)).json);
    expect(again.thingId).toBe(first.thingId);
    // The same key as JSON text, with WebCrypto's extra members, is still the same key.
    const asText = JSON.stringify({ ...thing.publicJwk, alg: 'RS256', key_ops: ['verify'], ext: true });
    const third = registerThingResponseSchema.parse(
      (await register(JSON.stringify({ type: 'RegisterThingRequest', uuid: thing.uuid.toUpperCase(), publicKey: asText }), thing.uuid)).json,
    );
    expect(third.thingId).toBe(first.thingId);
    expect(third.publicKey).toBe(asText); // echoed in the form the request used
    expect(third.uuid).toBe(thing.uuid.toUpperCase());
    await new Promise((r) => setTimeout(r, 300));
    const events = log.messages.filter((m) => m.topic === 'registry/events/registered' && (m.json as { uuid: string }).uuid === thing.uuid);
    expect(events).toHaveLength(1);
  });

  it('answers KEY_MISMATCH for a known UUID with another key', async () => {
    const thing = await makeThing();
    const first = registerThingResponseSchema.parse((await register(thing.request(), thing.uuid)).json);
    const other = await makeThing(thing.uuid);
    const error = errorMessageSchema.parse((await register(other.request({ requestId: 'mm' }), thing.uuid)).json);
    expect(error).toMatchObject({ code: 'KEY_MISMATCH', retryable: false, uuid: thing.uuid, requestId: 'mm', requestType: 'RegisterThingRequest' });
    const still = registerThingResponseSchema.parse((await register(thing.request(), thing.uuid)).json);
    expect(still.thingId).toBe(first.thingId);
  });

  it('300 concurrent registrations (100 repeats) give one thingId per UUID and no duplicate ids', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => makeThing()));
    const uuids: string[] = Array.from({ length: 200 }, () => randomUUID());
    const bodies = uuids.map((uuid, i) => ({ uuid, body: JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: keys[i % keys.length]!.publicJwk, requestId: `c-${i}` }) }));
    const repeats = uuids.slice(0, 100).map((uuid, i) => ({ uuid, body: JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: keys[i % keys.length]!.publicJwk, requestId: `r-${i}` }) }));
    const all = [...bodies, ...repeats].sort(() => Math.random() - 0.5);
    const wanted = new Set(uuids);
    const before = log.messages.length;
    await Promise.all(all.map(({ body }) => client.publishAsync('register', body, { qos: 1 })));
    const isOurs = (m: ReceivedMessage) =>
      log.messages.indexOf(m) >= before && m.topic.startsWith('registry/reply/') && wanted.has(m.topic.slice('registry/reply/'.length));
    const replies = await log.waitForCount(isOurs, 300, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(log.messages.filter(isOurs)).toHaveLength(300); // exactly one reply per request

    const idByUuid = new Map<string, number>();
    for (const reply of replies) {
      const body = registerThingResponseSchema.parse(reply.json);
      const seen = idByUuid.get(body.uuid);
      if (seen !== undefined) expect(body.thingId).toBe(seen);
      idByUuid.set(body.uuid, body.thingId);
    }
    expect(idByUuid.size).toBe(200);
    expect(new Set(idByUuid.values()).size).toBe(200);
  });

  it('answers a malformed request on registry/errors and then serves the next one', async () => {
    await client.publishAsync('register', '{"type": "RegisterThingRequest", oops', { qos: 1 });
    const error = await log.waitFor((m) => m.topic === 'registry/errors');
    expect(errorMessageSchema.parse(error.json)).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, requestType: 'RegisterThingRequest' });

    const thing = await makeThing();
    const bad = errorMessageSchema.parse((await register(JSON.stringify({ type: 'RegisterThingRequest', uuid: thing.uuid, publicKey: 42, requestId: 'x' }), thing.uuid)).json);
    expect(bad).toMatchObject({ code: 'INVALID_REQUEST', uuid: thing.uuid, requestId: 'x' });
    const wrongType = errorMessageSchema.parse((await register(JSON.stringify({ type: 'UpdateKeyRequest', uuid: thing.uuid, publicKey: thing.publicJwk }), thing.uuid)).json);
    expect(wrongType.code).toBe('INVALID_REQUEST');

    expect(registerThingResponseSchema.parse((await register(thing.request(), thing.uuid)).json).uuid).toBe(thing.uuid);
  });

  it('answers PAYLOAD_TOO_LARGE for an oversized request and then serves the next one', async () => {
    const thing = await makeThing();
    const before = log.messages.length;
    await client.publishAsync('register', thing.request({ padding: 'x'.repeat(20_000) }), { qos: 1 });
    const error = await log.waitFor((m) => log.messages.indexOf(m) >= before && m.topic === 'registry/errors' && (m.json as { code?: string }).code === 'PAYLOAD_TOO_LARGE');
    expect(errorMessageSchema.parse(error.json).retryable).toBe(false);
    expect(registerThingResponseSchema.parse((await register(thing.request(), thing.uuid)).json).uuid).toBe(thing.uuid);
  });

  it('refuses a private key (INVALID_KEY), stores nothing, and then serves the next one', async () => {
    const uuid = randomUUID();
    const { privateJwk } = rsaJwkPair(2048);
    const error = errorMessageSchema.parse((await register(JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: privateJwk }), uuid)).json);
    expect(error).toMatchObject({ code: 'INVALID_KEY', retryable: false, uuid });
    expect(error.message).toMatch(/private/);
    // Nothing was stored: the same UUID registers afresh with a public key.
    const thing = await makeThing(uuid);
    expect(registerThingResponseSchema.parse((await register(thing.request(), uuid)).json).uuid).toBe(uuid);
  });

  it('refuses an EC key and a 1024-bit RSA key with INVALID_KEY', async () => {
    const uuid = randomUUID();
    const { publicJwk: small } = rsaJwkPair(1024);
    const error = errorMessageSchema.parse((await register(JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: small }), uuid)).json);
    expect(error).toMatchObject({ code: 'INVALID_KEY' });
    expect(error.message).toMatch(/1024 bits/);
  });
});
