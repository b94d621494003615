import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID, type webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, generateThingKeyPair, MessageLog, TestMosquitto, TestRedis, type ReceivedMessage, type ThingKeyPair } from '@giotto/testkit';
import {
  deregisterThingResponseSchema,
  errorMessageSchema,
  registerThingResponseSchema,
  replaceThingResponseSchema,
  thingRecordSchema,
  updateKeyResponseSchema,
  type ErrorCode,
} from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { startRegistry, type RegistryUnderTest } from './registry-under-test.js';
import { deregisterBody, keyedThing, registerBody, replaceBody, sign, stamp, updateKeyBody, type KeyedThing } from './signed-requests.js';

describe('signed lifecycle operations against mosquitto and redis-server', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;
  let operator: ThingKeyPair;
  let stranger: ThingKeyPair;

  beforeAll(async () => {
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    operator = await generateThingKeyPair();
    stranger = await generateThingKeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'giotto-ops-'));
    const jwks = join(dir, 'operators.jwks');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...operator.publicJwk, kid: 'operator:alice' }] }));
    registry = await startRegistry({ redis, mosquitto, env: { REGISTRY_OPERATOR_KEYS: jwks } });
    client = await connectClient(mosquitto.url);
    log = await MessageLog.subscribe(client, ['registry/#']);
  });

  afterAll(async () => {
    await client?.endAsync();
    await registry?.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  /** Publishes and returns the next message on the UUID's reply topic. */
  async function send(topic: string, payload: string, replyUuid: string): Promise<ReceivedMessage> {
    const mark = log.messages.length;
    await client.publishAsync(topic, payload, { qos: 1 });
    return log.waitFor((m) => log.messages.indexOf(m) >= mark && m.topic === `registry/reply/${replyUuid.toLowerCase()}`, 5000, `reply on ${replyUuid}`);
  }

  async function expectError(topic: string, payload: string, replyUuid: string, code: ErrorCode): Promise<void> {
    const reply = await send(topic, payload, replyUuid);
    expect(errorMessageSchema.parse(reply.json)).toMatchObject({ code, retryable: false });
  }

  async function registered(thing?: KeyedThing): Promise<{ thing: KeyedThing; thingId: number }> {
    const t = thing ?? (await keyedThing());
    const reply = await send('register', JSON.stringify(registerBody(t)), t.uuid);
    return { thing: t, thingId: registerThingResponseSchema.parse(reply.json).thingId };
  }

  async function retainedRecord(thingId: number): Promise<unknown> {
    const late = await connectClient(mosquitto.url);
    const lateLog = await MessageLog.subscribe(late, `registry/things/${thingId}`);
    await new Promise((r) => setTimeout(r, 250));
    await late.endAsync();
    return lateLog.messages[0]?.json;
  }

  const eventFor = (kind: string, thingId: number) => (m: ReceivedMessage) =>
    m.topic === `registry/events/${kind}` && (m.json as { thingId?: number }).thingId === thingId;

  describe('DeregisterThing', () => {
    it('frees the UUID, clears the record, publishes the event; the UUID then gets a NEW thingId', async () => {
      const { thing, thingId } = await registered();
      await log.waitFor((m) => m.topic === `registry/things/${thingId}`);
      const reply = await send('deregister', await sign(deregisterBody(thing.uuid, { requestId: 'd1' }), thing.keys.privateKey), thing.uuid);
      expect(deregisterThingResponseSchema.parse(reply.json)).toEqual({ type: 'DeregisterThingResponse', uuid: thing.uuid, thingId, requestId: 'd1' });
      await log.waitFor(eventFor('deregistered', thingId));
      expect(await retainedRecord(thingId)).toBeUndefined();

      const again = await registered(thing);
      expect(again.thingId).toBeGreaterThan(thingId);
    });

    it('refuses: a wrong key (INVALID_SIGNATURE), an unknown UUID (NOT_FOUND), an old iat (EXPIRED), plain JSON (INVALID_REQUEST)', async () => {
      const { thing } = await registered();
      await expectError('deregister', await sign(deregisterBody(thing.uuid), stranger.privateKey), thing.uuid, 'INVALID_SIGNATURE');
      const unknown = randomUUID();
      await expectError('deregister', await sign(deregisterBody(unknown), thing.keys.privateKey), unknown, 'NOT_FOUND');
      await expectError('deregister', await sign(deregisterBody(thing.uuid, stamp(-400)), thing.keys.privateKey), thing.uuid, 'EXPIRED');
      await expectError('deregister', await sign(deregisterBody(thing.uuid, stamp(+400)), thing.keys.privateKey), thing.uuid, 'EXPIRED');
      await expectError('deregister', JSON.stringify(deregisterBody(thing.uuid)), thing.uuid, 'INVALID_REQUEST');
      await expectError('deregister', await sign({ ...deregisterBody(thing.uuid), type: 'UpdateKeyRequest' }, thing.keys.privateKey), thing.uuid, 'INVALID_REQUEST');
      // Still registered after all that.
      expect((await registered(thing)).thingId).toBeGreaterThan(0);
    });

    it('takes an operator signature; an unknown operator is FORBIDDEN; the same message twice is REPLAYED', async () => {
      const { thing, thingId } = await registered();
      await expectError('deregister', await sign(deregisterBody(thing.uuid), operator.privateKey, 'operator:mallory'), thing.uuid, 'FORBIDDEN');
      await expectError('deregister', await sign(deregisterBody(thing.uuid), stranger.privateKey, 'operator:alice'), thing.uuid, 'INVALID_SIGNATURE');
      const message = await sign(deregisterBody(thing.uuid), operator.privateKey, 'operator:alice');
      expect(deregisterThingResponseSchema.parse((await send('deregister', message, thing.uuid)).json).thingId).toBe(thingId);
      await registered(thing);
      await expectError('deregister', message, thing.uuid, 'REPLAYED');
    });
  });

  describe('ReplaceThing', () => {
    it('moves the thingId to the new UUID and key, replies on both UUIDs, moves the record, publishes the event', async () => {
      const { thing, thingId } = await registered();
      const next = await keyedThing();
      const payload = await sign(replaceBody(thing.uuid, next.uuid, next.keys.publicJwk, { requestId: 'rp' }), thing.keys.privateKey);
      const mark = log.messages.length;
      const reply = await send('replace', payload, thing.uuid);
      const body = replaceThingResponseSchema.parse(reply.json);
      expect(body).toMatchObject({ oldUuid: thing.uuid, uuid: next.uuid, thingId, requestId: 'rp', publicKey: next.keys.publicJwk });
      const toNew = await log.waitFor((m) => log.messages.indexOf(m) >= mark && m.topic === `registry/reply/${next.uuid}`);
      expect(toNew.json).toEqual(reply.json);
      const event = await log.waitFor(eventFor('replaced', thingId));
      expect(event.json).toMatchObject({ type: 'ThingReplaced', oldUuid: thing.uuid, uuid: next.uuid });
      await new Promise((r) => setTimeout(r, 100));
      expect(thingRecordSchema.parse(await retainedRecord(thingId))).toMatchObject({ thingId, uuid: next.uuid, publicKey: { n: next.keys.publicJwk.n } });

      // The old UUID is gone; the new key now signs for the new UUID.
      await expectError('deregister', await sign(deregisterBody(thing.uuid), thing.keys.privateKey), thing.uuid, 'NOT_FOUND');
      await expectError('deregister', await sign(deregisterBody(next.uuid), thing.keys.privateKey), next.uuid, 'INVALID_SIGNATURE');
      expect(deregisterThingResponseSchema.parse((await send('deregister', await sign(deregisterBody(next.uuid), next.keys.privateKey), next.uuid)).json).thingId).toBe(thingId);
    });

    it('refuses: a registered newUuid (CONFLICT), a bad new key (INVALID_KEY), a wrong signer, replay by an operator', async () => {
      const { thing } = await registered();
      const { thing: other } = await registered();
      await expectError('replace', await sign(replaceBody(thing.uuid, other.uuid, other.keys.publicJwk), thing.keys.privateKey), thing.uuid, 'CONFLICT');
      await expectError('replace', await sign(replaceBody(thing.uuid, thing.uuid, thing.keys.publicJwk), thing.keys.privateKey), thing.uuid, 'CONFLICT');
      await expectError('replace', await sign(replaceBody(thing.uuid, randomUUID(), { kty: 'EC' }), thing.keys.privateKey), thing.uuid, 'INVALID_KEY');
      await expectError('replace', await sign(replaceBody(thing.uuid, randomUUID(), other.keys.publicJwk), stranger.privateKey), thing.uuid, 'INVALID_SIGNATURE');

      const next = await keyedThing();
      const byOperator = await sign(replaceBody(thing.uuid, next.uuid, next.keys.publicJwk), operator.privateKey, 'operator:alice');
      expect(replaceThingResponseSchema.parse((await send('replace', byOperator, thing.uuid)).json).uuid).toBe(next.uuid);
      await registered(thing);
      await expectError('replace', byOperator, thing.uuid, 'REPLAYED');
    });
  });

  describe('UpdateKey', () => {
    it('swaps the key: the old key can no longer sign, the new one can; the record and event follow', async () => {
      const { thing, thingId } = await registered();
      const fresh = await generateThingKeyPair();
      const reply = await send('update-key', await sign(updateKeyBody(thing.uuid, fresh.publicJwk, { requestId: 'uk' }), thing.keys.privateKey), thing.uuid);
      expect(updateKeyResponseSchema.parse(reply.json)).toMatchObject({ uuid: thing.uuid, thingId, publicKey: fresh.publicJwk, requestId: 'uk' });
      await log.waitFor(eventFor('key-updated', thingId));
      await new Promise((r) => setTimeout(r, 100));
      expect(thingRecordSchema.parse(await retainedRecord(thingId)).publicKey).toMatchObject({ n: fresh.publicJwk.n });

      // Registering with the old key is now KEY_MISMATCH; with the new key, the same thingId.
      await expectError('register', JSON.stringify(registerBody(thing)), thing.uuid, 'KEY_MISMATCH');
      await expectError('deregister', await sign(deregisterBody(thing.uuid), thing.keys.privateKey), thing.uuid, 'INVALID_SIGNATURE');
      const done = await send('deregister', await sign(deregisterBody(thing.uuid), fresh.privateKey), thing.uuid);
      expect(deregisterThingResponseSchema.parse(done.json).thingId).toBe(thingId);
    });

    it('refuses a replayed message, an expired one, an unknown operator and a bad key', async () => {
      const { thing } = await registered();
      const same = await sign(updateKeyBody(thing.uuid, thing.keys.publicJwk), thing.keys.privateKey);
      expect(updateKeyResponseSchema.parse((await send('update-key', same, thing.uuid)).json).uuid).toBe(thing.uuid);
      await expectError('update-key', same, thing.uuid, 'REPLAYED');
      await expectError('update-key', await sign(updateKeyBody(thing.uuid, thing.keys.publicJwk, stamp(-301)), thing.keys.privateKey), thing.uuid, 'EXPIRED');
      await expectError('update-key', await sign(updateKeyBody(thing.uuid, thing.keys.publicJwk), operator.privateKey, 'operator:bob'), thing.uuid, 'FORBIDDEN');
      await expectError('update-key', await sign(updateKeyBody(thing.uuid, 'not a key'), thing.keys.privateKey), thing.uuid, 'INVALID_KEY');
      const unknown = randomUUID();
      await expectError('update-key', await sign(updateKeyBody(unknown, thing.keys.publicJwk), thing.keys.privateKey), unknown, 'NOT_FOUND');
    });
  });

  describe('proof of possession and forged JWS', () => {
    it('registers from a JWS signed by the key it registers, and refuses one signed by another key', async () => {
      const thing = await keyedThing();
      const proof = await sign(registerBody(thing, stamp()), thing.keys.privateKey);
      expect(registerThingResponseSchema.parse((await send('register', proof, thing.uuid)).json).uuid).toBe(thing.uuid);
      const other = await keyedThing();
      await expectError('register', await sign(registerBody(other, stamp()), stranger.privateKey), other.uuid, 'INVALID_SIGNATURE');
      await expectError('register', await sign(registerBody(other, stamp(-1000)), other.keys.privateKey), other.uuid, 'EXPIRED');
      await expectError('register', await sign(registerBody(other), other.keys.privateKey), other.uuid, 'INVALID_REQUEST');
    });

    it('never changes state for alg "none", HS256 keyed with the public key, or an unknown crit header', async () => {
      const { thing, thingId } = await registered();
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const body = deregisterBody(thing.uuid);
      const none = `${b64({ alg: 'none' })}.${b64(body)}.`;
      await expectError('deregister', none, thing.uuid, 'INVALID_REQUEST'); // no signature part at all
      const noneSigned = `${b64({ alg: 'none' })}.${b64(body)}.AAAA`;
      await expectError('deregister', noneSigned, thing.uuid, 'INVALID_SIGNATURE');
      const { createHmac } = await import('node:crypto');
      const input = `${b64({ alg: 'HS256' })}.${b64(deregisterBody(thing.uuid))}`;
      const hs = `${input}.${createHmac('sha256', JSON.stringify(thing.keys.publicJwk)).update(input).digest('base64url')}`;
      await expectError('deregister', hs, thing.uuid, 'INVALID_SIGNATURE');
      // jose will not sign an unknown crit, so this one is built by hand with the Thing's real key.
      const { KeyObject, sign: rsaSign } = await import('node:crypto');
      const critInput = `${b64({ alg: 'RS256', crit: ['x-giotto'], 'x-giotto': 1 })}.${b64(deregisterBody(thing.uuid))}`;
      const critSig = rsaSign('sha256', Buffer.from(critInput), KeyObject.from(thing.keys.privateKey as unknown as webcrypto.CryptoKey));
      const crit = `${critInput}.${critSig.toString('base64url')}`;
      await expectError('deregister', crit, thing.uuid, 'INVALID_SIGNATURE');
      expect((await registered(thing)).thingId).toBe(thingId);
      // Control: the same hand-built signature without crit is accepted.
      const plainInput = `${b64({ alg: 'RS256' })}.${b64(deregisterBody(thing.uuid))}`;
      const plainSig = rsaSign('sha256', Buffer.from(plainInput), KeyObject.from(thing.keys.privateKey as unknown as webcrypto.CryptoKey));
      const done = await send('deregister', `${plainInput}.${plainSig.toString('base64url')}`, thing.uuid);
      expect(deregisterThingResponseSchema.parse(done.json).thingId).toBe(thingId);
    });

    it('with REGISTRY_REQUIRE_PROOF=true refuses plain JSON registration (FORBIDDEN) and takes a proof', async () => {
      const strict = await startRegistry({ redis, mosquitto, env: { REGISTRY_REQUIRE_PROOF: 'true', REGISTRY_TOPIC_PREFIX: 'strict/' } });
      try {
        const strictClient = await connectClient(mosquitto.url);
        const strictLog = await MessageLog.subscribe(strictClient, 'strict/registry/reply/#');
        const thing = await keyedThing();
        await strictClient.publishAsync('strict/register', JSON.stringify(registerBody(thing)), { qos: 1 });
        const refused = await strictLog.waitFor((m) => m.topic === `strict/registry/reply/${thing.uuid}`);
        expect(errorMessageSchema.parse(refused.json).code).toBe('FORBIDDEN');
        await strictClient.publishAsync('strict/register', await sign(registerBody(thing, stamp()), thing.keys.privateKey), { qos: 1 });
        const served = await strictLog.waitFor((m) => m.topic === `strict/registry/reply/${thing.uuid}` && m !== refused);
        expect(registerThingResponseSchema.parse(served.json).uuid).toBe(thing.uuid);
        await strictClient.endAsync();
      } finally {
        await strict.stop();
      }
    });
  });
});
