import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, MessageLog, requireBinary, runCommand, TestMosquitto, TestRedis } from '@giotto/testkit';
import { errorMessageSchema, registerThingResponseSchema } from '@giotto/protocol';
import type { MqttClient } from 'mqtt';
import { makeThing, startRegistry, type RegistryUnderTest } from './registry-under-test.js';

describe('MQTT 5 Response Topic and Correlation Data (mosquitto)', () => {
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;

  beforeAll(async () => {
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    registry = await startRegistry({ redis, mosquitto });
    client = await connectClient(mosquitto.url, { protocolVersion: 5 });
    log = await MessageLog.subscribe(client, ['my/inbox/#', 'registry/reply/#', 'registry/errors']);
  });

  afterAll(async () => {
    await client?.endAsync();
    await registry?.stop();
    await mosquitto?.close();
    await redis?.close();
  });

  it('replies on the Response Topic with the Correlation Data echoed, not on the UUID topic', async () => {
    const thing = await makeThing();
    const correlationData = Buffer.from([0, 1, 2, 250]);
    await client.publishAsync('register', thing.request(), { qos: 1, properties: { responseTopic: 'my/inbox/1', correlationData } });
    const reply = await log.waitFor((m) => m.topic === 'my/inbox/1');
    expect(registerThingResponseSchema.parse(reply.json).uuid).toBe(thing.uuid);
    expect(Buffer.compare(reply.packet.properties!.correlationData!, correlationData)).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(log.onTopic(`registry/reply/${thing.uuid}`)).toHaveLength(0);
  });

  it('answers mosquitto_rr (the mosquitto CLI\'s request/response client) on its Response Topic', async () => {
    requireBinary('mosquitto_rr', 'mosquitto-clients');
    const thing = await makeThing();
    const rr = await runCommand('mosquitto_rr', ['-h', '127.0.0.1', '-p', String(mosquitto.port), '-t', 'register', '-e', 'rr/inbox', '-m', thing.request({ requestId: 'rr-1' }), '-W', '5']);
    expect(rr.code).toBe(0);
    expect(registerThingResponseSchema.parse(JSON.parse(rr.stdout))).toMatchObject({ uuid: thing.uuid, requestId: 'rr-1' });
  });

  it('sends errors to the Response Topic too', async () => {
    await client.publishAsync('register', 'not json', { qos: 1, properties: { responseTopic: 'my/inbox/2', correlationData: Buffer.from('c2') } });
    const reply = await log.waitFor((m) => m.topic === 'my/inbox/2');
    expect(errorMessageSchema.parse(reply.json).code).toBe('INVALID_REQUEST');
    expect(reply.packet.properties?.correlationData?.toString()).toBe('c2');
  });

  it('refuses a Response Topic inside the registry namespace, answering on the UUID topic', async () => {
    const thing = await makeThing();
    await client.publishAsync('register', thing.request(), { qos: 1, properties: { responseTopic: 'registry/things/1' } });
    const reply = await log.waitFor((m) => m.topic === `registry/reply/${thing.uuid}`);
    expect(errorMessageSchema.parse(reply.json)).toMatchObject({ code: 'INVALID_REQUEST', uuid: thing.uuid });
  });
});
