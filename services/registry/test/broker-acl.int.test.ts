import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, MessageLog, runCommand, TestMosquitto, TestRedis } from '@giotto/testkit';
import { registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, startRegistry, type RegistryUnderTest } from './registry-under-test.js';

const root = resolve(import.meta.dirname, '../../..');
const passwords = { REGISTRY_PASSWORD: 'reg-secret', THING_PASSWORD: 'thing-secret', NODE_PASSWORD: 'node-secret', CONSUMER_PASSWORD: 'consumer-secret' };

describe('the shipped mosquitto.conf and ACL', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let registry: RegistryUnderTest;
  const clients: MqttClient[] = [];

  const connect = async (username: string | undefined, password: string | undefined, clientId: string = randomUUID()) => {
    const client = await connectClient(mosquitto.url, { clientId, ...(username ? { username, password } : {}) });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
    // The shipped files, with only the paths and the port made the test's own.
    const dir = join(await import('node:os').then((os) => os.tmpdir()), `giotto-acl-${randomUUID()}`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    copyFileSync(join(root, 'deploy/mosquitto/acl'), join(dir, 'acl'));
    const users = await runCommand('sh', [join(root, 'scripts/mosquitto-users.sh'), join(dir, 'passwd')], { env: { ...process.env, ...passwords } });
    expect(users.code).toBe(0);
    const shipped = readFileSync(join(root, 'mosquitto.conf'), 'utf8');
    expect(shipped).toMatch(/^set_tcp_nodelay true$/m);
    expect(shipped).toMatch(/^allow_anonymous false$/m);
    const config = shipped
      .replace(/^listener 1883$/m, '')
      .replaceAll('/mosquitto/config/', `${dir}/`)
      .replaceAll('/mosquitto/data/', `${dir}/data/`);
    writeFileSync(join(dir, 'check.conf'), config);
    mosquitto = await TestMosquitto.start({ config, replaceDefaults: true });
    const passwordFile = join(dir, 'registry-password');
    writeFileSync(passwordFile, `${passwords.REGISTRY_PASSWORD}\n`, { mode: 0o600 });
    registry = await startRegistry({
      redis,
      mosquitto,
      env: { MQTT_USERNAME: 'registry', MQTT_PASSWORD_FILE: passwordFile, REGISTRY_SHARED_GROUP: 'registry' },
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync().catch(() => undefined);
    await registry?.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  it('refuses an anonymous connection and a wrong password', async () => {
    await expect(connect(undefined, undefined)).rejects.toThrow();
    await expect(connect('thing', 'wrong')).rejects.toThrow();
  });

  it('a Thing registers and reads its own reply, but not another Thing\'s', async () => {
    const alice = await makeThing();
    const bob = await makeThing();
    const aliceClient = await connect('thing', passwords.THING_PASSWORD, alice.uuid);
    const bobClient = await connect('thing', passwords.THING_PASSWORD, bob.uuid);
    const aliceLog = new MessageLog(aliceClient);
    await aliceClient.subscribeAsync([`registry/reply/${alice.uuid}`, `registry/reply/${bob.uuid}`, 'registry/public-key'], { qos: 1 });
    const bobLog = await MessageLog.subscribe(bobClient, `registry/reply/${bob.uuid}`);

    await aliceClient.publishAsync('register', alice.request(), { qos: 1 });
    const reply = await aliceLog.waitFor((m) => m.topic === `registry/reply/${alice.uuid}`);
    expect(registerThingResponseSchema.parse(reply.json).uuid).toBe(alice.uuid);
    await aliceLog.waitFor((m) => m.topic === 'registry/public-key');

    await bobClient.publishAsync('register', bob.request(), { qos: 1 });
    await bobLog.waitFor((m) => m.topic === `registry/reply/${bob.uuid}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(aliceLog.onTopic(`registry/reply/${bob.uuid}`)).toHaveLength(0);
  });

  it('a Thing cannot publish on registry/#', async () => {
    const thing = await makeThing();
    const thingClient = await connect('thing', passwords.THING_PASSWORD, thing.uuid);
    const consumer = await connect('consumer', passwords.CONSUMER_PASSWORD);
    const consumerLog = await MessageLog.subscribe(consumer, ['registry/things/#', 'registry/status']);
    await consumerLog.waitFor((m) => m.topic === 'registry/status');
    await thingClient.publishAsync('registry/things/999999', '{"forged":true}', { qos: 1, retain: true }).catch(() => undefined);
    await thingClient.publishAsync('registry/status', 'offline', { qos: 1, retain: true }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(consumerLog.onTopic('registry/things/999999')).toHaveLength(0);
    expect(consumerLog.onTopic('registry/status').map((m) => m.payload.toString())).toEqual(['online']);
  });

  it('a consumer reads events and records but cannot publish requests', async () => {
    const consumer = await connect('consumer', passwords.CONSUMER_PASSWORD);
    const log = await MessageLog.subscribe(consumer, ['registry/events/#', 'registry/things/#', 'registry/reply/#']);
    const thing = await makeThing();
    const thingClient = await connect('thing', passwords.THING_PASSWORD, thing.uuid);
    const thingLog = await MessageLog.subscribe(thingClient, `registry/reply/${thing.uuid}`);
    await thingClient.publishAsync('register', thing.request(), { qos: 1 });
    await thingLog.waitFor(() => true);
    const event = await log.waitFor((m) => m.topic === 'registry/events/registered' && (m.json as { uuid: string }).uuid === thing.uuid);
    const thingId = (event.json as { thingId: number }).thingId;
    await log.waitFor((m) => m.topic === `registry/things/${thingId}`);
    expect(log.messages.some((m) => m.topic.startsWith('registry/reply/'))).toBe(false);

    const forged = await makeThing();
    const probe = await connect('thing', passwords.THING_PASSWORD, forged.uuid);
    const probeLog = await MessageLog.subscribe(probe, `registry/reply/${forged.uuid}`);
    await consumer.publishAsync('register', forged.request(), { qos: 1 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 400));
    expect(probeLog.messages).toHaveLength(0);
  });
});
