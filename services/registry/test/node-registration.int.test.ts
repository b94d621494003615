import { createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectClient, MessageLog, TestMosquitto, TestRedis } from '@giotto/testkit';
import {
  buildRegistrationFrame,
  encodeRequestBody,
  encryptRequest,
  mintRegistrationKey,
  NODE_ARCHS,
  NODE_TYPES,
  nodeRegisteredSchema,
  openReply,
  type EnvelopeKind,
  type NodeRegistrationRequest,
  type NodeReply,
} from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { RedisKeys, RedisNodeStore } from '../src/index.js';
import { startRegistry, type RegistryUnderTest } from './registry-under-test.js';

describe('node registration over mosquitto and redis-server', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;
  let store: RedisNodeStore;
  let direct: Redis;
  let registryKey: KeyObject;
  const keys = new RedisKeys('giotto:{registry}:');

  beforeAll(async () => {
    redis = await TestRedis.start({ durable: true });
    mosquitto = await TestMosquitto.start();
    registry = await startRegistry({ redis, mosquitto });
    client = await connectClient(mosquitto.url);
    log = await MessageLog.subscribe(client, ['nodes/register/+/reply', 'registry/events/node-registered', 'registry/node-public-key']);
    const pem = await log.waitFor((m) => m.topic === 'registry/node-public-key');
    expect(pem.packet.retain).toBe(true);
    registryKey = createPublicKey(pem.payload.toString());
    direct = new Redis(redis.url);
    store = RedisNodeStore.create(direct, keys);
  });

  afterAll(async () => {
    direct?.disconnect();
    await client?.endAsync();
    await registry?.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  async function network(owner = 'alice'): Promise<string> {
    const networkId = randomUUID();
    await store.createNetwork({ networkId, owner, name: 'home', at: new Date() });
    return networkId;
  }

  async function mint(networkId: string, expiresAtMs?: number): Promise<Uint8Array> {
    const key = mintRegistrationKey((n) => randomBytes(n));
    await store.addRegistrationKeys(networkId, [Buffer.from(key).toString('hex')], expiresAtMs);
    return key;
  }

  function nodeRequest(networkId: string, phrase: Uint8Array, extra: Partial<NodeRegistrationRequest> = {}): NodeRegistrationRequest {
    return { nodeId: undefined, networkId, networkPhrase: phrase, nodeKey: randomBytes(32), nodeType: NODE_TYPES.device, nodeArch: NODE_ARCHS.esp_32, ...extra };
  }

  /** Publishes a frame on a fresh token and returns the raw reply frame. */
  async function sendFrame(frame: Uint8Array, prefix = ''): Promise<{ token: string; reply: Buffer }> {
    const token = randomBytes(12).toString('base64url');
    const mark = log.messages.length;
    await client.publishAsync(`${prefix}nodes/register/${token}`, Buffer.from(frame), { qos: 1 });
    const reply = await log.waitFor((m) => log.messages.indexOf(m) >= mark && m.topic === `${prefix}nodes/register/${token}/reply`, 5000, `reply for ${token}`);
    return { token, reply: reply.payload };
  }

  async function register(request: NodeRegistrationRequest, envelope: EnvelopeKind = 'ijam', prefix = ''): Promise<NodeReply> {
    const { token, reply } = await sendFrame(buildRegistrationFrame(request, registryKey), prefix);
    return openReply(reply, request.nodeKey, { envelope, token });
  }

  it('registers a new node with a generated id; the ijam envelope opens to the id Redis holds', async () => {
    const networkId = await network();
    const request = nodeRequest(networkId, await mint(networkId));
    const reply = await register(request);
    expect(reply.status).toBe(200);
    const nodeId = (reply as { nodeId: string }).nodeId;
    expect(await store.getNode(nodeId)).toMatchObject({ nodeId, networkId, owner: 'alice', name: 'node', state: 'offline', nodeType: 2, nodeArch: 32 });
    expect(await direct.hget(keys.node(nodeId), 'key')).toBe(Buffer.from(request.nodeKey).toString('base64'));
    expect(await direct.sismember(keys.networkNodes(networkId), nodeId)).toBe(1);
    const event = await log.waitFor((m) => m.topic === 'registry/events/node-registered' && (m.json as { nodeId?: string }).nodeId === nodeId);
    expect(nodeRegisteredSchema.parse(event.json)).toMatchObject({ networkId, owner: 'alice', nodeType: 2, nodeArch: 32, created: true });
  });

  it('an existing node of the same owner keeps its id and name, and goes offline', async () => {
    const networkId = await network();
    const first = (await register(nodeRequest(networkId, await mint(networkId)))) as { nodeId: string };
    await direct.hset(keys.node(first.nodeId), 'name', 'kitchen', 'state', 'online');
    const again = await register(nodeRequest(networkId, await mint(networkId), { nodeId: first.nodeId, nodeType: NODE_TYPES.fog }));
    expect(again).toEqual({ status: 200, nodeId: first.nodeId });
    expect(await store.getNode(first.nodeId)).toMatchObject({ name: 'kitchen', state: 'offline', nodeType: 4 });
  });

  it('another owner\'s node id gets a new id; an unknown non-zero id is used as given', async () => {
    const alices = await network('alice');
    const bobs = await network('bob');
    const alicesNode = (await register(nodeRequest(alices, await mint(alices)))) as { nodeId: string };
    const taken = (await register(nodeRequest(bobs, await mint(bobs), { nodeId: alicesNode.nodeId }))) as { nodeId: string };
    expect(taken.nodeId).not.toBe(alicesNode.nodeId);
    expect(await store.getNode(alicesNode.nodeId)).toMatchObject({ owner: 'alice' });
    expect(await store.getNode(taken.nodeId)).toMatchObject({ owner: 'bob' });
    const chosen = randomUUID();
    expect(await register(nodeRequest(bobs, await mint(bobs), { nodeId: chosen }))).toEqual({ status: 200, nodeId: chosen });
  });

  it('a revoked node gets 403 and the key is not consumed: it still registers a new node', async () => {
    const networkId = await network();
    const node = (await register(nodeRequest(networkId, await mint(networkId)))) as { nodeId: string };
    expect(await store.revokeNode(node.nodeId)).toBe(true);
    const key = await mint(networkId);
    expect(await register(nodeRequest(networkId, key, { nodeId: node.nodeId }))).toEqual({ status: 403, message: 'node revoked' });
    expect(await store.getNode(node.nodeId)).toMatchObject({ state: 'revoked' });
    expect((await register(nodeRequest(networkId, key))).status).toBe(200);
  });

  it('404 for an unknown network, a key of another network, a used key and an expired key', async () => {
    const networkId = await network();
    const other = await network();
    const notFound = { status: 404, message: 'unknown network or registration key' };
    expect(await register(nodeRequest(randomUUID(), await mint(networkId)))).toEqual(notFound);
    expect(await register(nodeRequest(networkId, await mint(other)))).toEqual(notFound);
    const key = await mint(networkId);
    expect((await register(nodeRequest(networkId, key))).status).toBe(200);
    expect(await register(nodeRequest(networkId, key))).toEqual(notFound);
    expect(await register(nodeRequest(networkId, await mint(networkId, Date.now() - 1)))).toEqual(notFound);
    expect((await register(nodeRequest(networkId, await mint(networkId, Date.now() + 60_000)))).status).toBe(200);
  });

  it('400 with one message for a bad checksum, garbage, a wrong-size body and the wrong OAEP hash', async () => {
    const networkId = await network();
    const key = await mint(networkId);
    const bad = Uint8Array.from(key);
    bad[0] = (bad[0]! + 100) & 0xff; // moves the sum out of 14..100
    const replies = [
      (await sendFrame(buildRegistrationFrame(nodeRequest(networkId, bad), registryKey))).reply,
      (await sendFrame(randomBytes(256))).reply,
      (await sendFrame(randomBytes(17))).reply,
      (await sendFrame(encryptRequest(encodeRequestBody(nodeRequest(networkId, key)).subarray(0, 87), registryKey, 'sha256'))).reply,
      (await sendFrame(encryptRequest(Buffer.concat([encodeRequestBody(nodeRequest(networkId, key)), Buffer.from([0])]), registryKey, 'sha256'))).reply,
      (await sendFrame(buildRegistrationFrame(nodeRequest(networkId, key), registryKey, 'sha1'))).reply,
    ];
    for (const reply of replies) {
      expect(reply.readUInt16LE(0)).toBe(400);
      expect(reply.subarray(2).toString()).toBe('invalid registration request');
    }
    // None of them consumed the key.
    expect((await register(nodeRequest(networkId, key))).status).toBe(200);
  });

  it('drops and counts a frame with a bad token, and keeps serving', async () => {
    const before = registry.app.droppedNodeFrames();
    await client.publishAsync('nodes/register/short', Buffer.from(randomBytes(256)), { qos: 1 });
    await client.publishAsync('nodes/register/bad!token*chars', Buffer.from(randomBytes(256)), { qos: 1 });
    const networkId = await network();
    expect((await register(nodeRequest(networkId, await mint(networkId)))).status).toBe(200);
    expect(registry.app.droppedNodeFrames()).toBe(before + 2);
    expect(log.messages.some((m) => m.topic.startsWith('nodes/register/short') || m.topic.includes('bad!token'))).toBe(false);
  });

  it('two concurrent frames with the same key: exactly one 200', async () => {
    const networkId = await network();
    const key = await mint(networkId);
    const replies = await Promise.all([register(nodeRequest(networkId, key)), register(nodeRequest(networkId, key))]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 404]);
  });

  it('the gcm envelope (NODE_ENVELOPE=gcm) opens, bound to the token, to the id Redis holds', async () => {
    const gcm = await startRegistry({ redis, mosquitto, env: { NODE_ENVELOPE: 'gcm', REGISTRY_TOPIC_PREFIX: 'gcm/', REGISTRY_DATA_DIR: registry.dataDir } });
    try {
      await client.subscribeAsync('gcm/nodes/register/+/reply', { qos: 1 });
      const networkId = await network();
      const request = nodeRequest(networkId, await mint(networkId));
      const { token, reply } = await sendFrame(buildRegistrationFrame(request, registryKey), 'gcm/');
      expect(reply.length).toBe(46);
      const opened = openReply(reply, request.nodeKey, { envelope: 'gcm', token }) as { nodeId: string };
      expect(await store.getNode(opened.nodeId)).toMatchObject({ networkId });
      expect(() => openReply(reply, request.nodeKey, { envelope: 'gcm', token: `${token}x` })).toThrow();
    } finally {
      await gcm.stop();
    }
  });

  it('NODE_OAEP_HASH=sha1 (firmware built for the seed system) takes SHA-1 frames and refuses SHA-256 ones', async () => {
    const sha1 = await startRegistry({ redis, mosquitto, env: { NODE_OAEP_HASH: 'sha1', REGISTRY_TOPIC_PREFIX: 'sha1/', REGISTRY_DATA_DIR: registry.dataDir } });
    try {
      await client.subscribeAsync('sha1/nodes/register/+/reply', { qos: 1 });
      const networkId = await network();
      const request = nodeRequest(networkId, await mint(networkId));
      const refused = await sendFrame(buildRegistrationFrame(request, registryKey, 'sha256'), 'sha1/');
      expect(refused.reply.readUInt16LE(0)).toBe(400);
      const { token, reply } = await sendFrame(buildRegistrationFrame(request, registryKey, 'sha1'), 'sha1/');
      expect(openReply(reply, request.nodeKey, { envelope: 'ijam', token }).status).toBe(200);
    } finally {
      await sha1.stop();
    }
  });

  it('503 while Redis is down, and serves again once it is back', async () => {
    const networkId = await network();
    const key = await mint(networkId);
    await redis.stop('SIGKILL');
    try {
      expect(await register(nodeRequest(networkId, key))).toEqual({ status: 503, message: 'registry unavailable; retry later' });
    } finally {
      await redis.restart();
    }
    // The key was not consumed while Redis was away (and the durable Redis kept it).
    const deadline = Date.now() + 10_000;
    let status = 503;
    while (Date.now() < deadline && status === 503) {
      status = (await register(nodeRequest(networkId, key))).status;
      if (status === 503) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
