import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connectClient, freePort, generateThingKeyPair, MessageLog, type TestMosquitto, type TestRedis } from '@giotto/testkit';
import type { MqttClient } from 'mqtt';
import { createLogger, loadConfig, startApp, type RunningApp } from '../src/index.js';

export type BrokerKind = 'mosquitto' | 'aedes';

export interface RegistryUnderTest {
  app: RunningApp;
  mqttUrl: string;
  /** MQTT protocol version clients should speak to this broker. */
  protocolVersion: 4 | 5;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the registry in this process against real servers: the given mosquitto, or (with none)
 * its own embedded aedes broker on a free port. `env` overrides any variable.
 */
export async function startRegistry(options: {
  redis: TestRedis;
  mosquitto?: TestMosquitto;
  env?: Record<string, string>;
  dataDir?: string;
}): Promise<RegistryUnderTest> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'giotto-data-'));
  const env: Record<string, string> = {
    REDIS_URL: options.redis.url,
    REGISTRY_DATA_DIR: dataDir,
    REGISTRY_CLIENT_ID: `registry-test-${randomUUID()}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HTTP_PORT: '0',
    ...(options.mosquitto
      ? { MQTT_URL: options.mosquitto.url }
      : { EMBEDDED_BROKER_HOST: '127.0.0.1', EMBEDDED_BROKER_PORT: String(await freePort()) }),
    ...options.env,
  };
  const config = loadConfig(env);
  const app = await startApp(config, createLogger(config.logLevel));
  return {
    app,
    mqttUrl: app.mqttUrl,
    protocolVersion: app.embeddedBroker ? 4 : 5,
    dataDir,
    async stop() {
      await app.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A test Thing: its UUID, a WebCrypto-made key pair, and a client that hears its reply topic. */
export interface TestThing {
  uuid: string;
  publicJwk: Record<string, unknown>;
  request(extra?: Record<string, unknown>): string;
}

export async function makeThing(uuid: string = randomUUID()): Promise<TestThing> {
  const { publicJwk } = await generateThingKeyPair();
  return {
    uuid,
    publicJwk: publicJwk as Record<string, unknown>,
    request: (extra = {}) => JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: publicJwk, ...extra }),
  };
}

/** A client subscribed to every reply topic, the error topic, events and records. */
export async function observer(registry: RegistryUnderTest): Promise<{ client: MqttClient; log: MessageLog }> {
  const client = await connectClient(registry.mqttUrl, { protocolVersion: registry.protocolVersion });
  const log = await MessageLog.subscribe(client, ['registry/#']);
  return { client, log };
}
