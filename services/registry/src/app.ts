import { Topics } from '@giotto/protocol';
import type { Redis } from 'ioredis';
import { EmbeddedBroker } from './adapters/embedded-broker.js';
import { MqttBus } from './adapters/mqtt-bus.js';
import { loadOrCreateNodeRsaKey } from './adapters/node-rsa-key-file.js';
import { noOperators, OperatorKeysFile } from './adapters/operator-keys-file.js';
import { adviseOnRedisConfig, createRedis, waitForRedis } from './adapters/redis-connection.js';
import { RedisKeys } from './adapters/redis-keys.js';
import { RedisNodeStore } from './adapters/redis-node-store.js';
import { RedisOutbox } from './adapters/redis-outbox.js';
import { RedisThingStore } from './adapters/redis-thing-store.js';
import { loadOrCreateSigningKey } from './adapters/signing-key-file.js';
import type { Config } from './config.js';
import { Dispatcher } from './dispatcher.js';
import { deregisterHandler } from './handlers/deregister.js';
import { nodeRegisterHandler } from './handlers/node-register.js';
import { registerHandler } from './handlers/register.js';
import { replaceHandler } from './handlers/replace.js';
import { updateKeyHandler } from './handlers/update-key.js';
import { HealthServer } from './http/health-server.js';
import { createPrometheusMetrics } from './http/metrics.js';
import { InFlight } from './in-flight.js';
import { KeyCache } from './key-cache.js';
import { CpuQueue } from './cpu-queue.js';
import { NodeDispatcher } from './node-dispatcher.js';
import { RateLimiter, TokenBucket } from './rate-limiter.js';
import { systemClock, type Clock, type Logger } from './ports.js';
import { RegistryService } from './registry-service.js';
import { SignatureVerifier } from './signature-verifier.js';

export interface RunningApp {
  /** Where the registry's MQTT connection goes (the embedded broker's URL when it runs one). */
  mqttUrl: string;
  embeddedBroker: EmbeddedBroker | undefined;
  /** The HTTP port of /healthz, /readyz and /metrics, when it is on. */
  httpPort: number | undefined;
  registryPublicKeyJson: string;
  nodePublicKeyPem: string;
  topics: Topics;
  /** Node frames dropped for a bad token since start (there is nowhere to answer them). */
  droppedNodeFrames(): number;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the adapters from the config, hands them to the service and starts
 * it. Order matters: the HTTP port answers /healthz from the start; Redis answers before the MQTT
 * session resumes, or the requests the broker queued for us would all be answered UNAVAILABLE.
 */
export async function startApp(config: Readonly<Config>, logger: Logger, clock: Clock = systemClock): Promise<RunningApp> {
  if (!config.redis.url) throw new Error('REDIS_URL: required (pnpm start launches a local redis-server when it is unset)');
  const keysLog = logger.child({ ns: 'registry.keys' });
  const signingKey = await loadOrCreateSigningKey(config.signingKeyPath, keysLog);
  const operators = config.operatorKeysPath ? OperatorKeysFile.load(config.operatorKeysPath, keysLog) : noOperators;
  const nodeKey = await loadOrCreateNodeRsaKey(config.node.rsaKeyPath, keysLog);

  const inFlight = new InFlight(config.limits.maxInFlight);
  const metrics = createPrometheusMetrics(() => inFlight.pending);
  const redisLog = logger.child({ ns: 'registry.store' });
  const redisOptions = { url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs, onReconnect: metrics.redisReconnected };
  const redis = createRedis(redisOptions, redisLog);
  const reader = createRedis({ ...redisOptions, blocking: true, onReconnect: undefined }, redisLog);
  let bus: MqttBus | undefined;
  let health: HealthServer | undefined;
  let embeddedBroker: EmbeddedBroker | undefined;
  const closeAll = async () => {
    await embeddedBroker?.close();
    for (const connection of [redis, reader] as Redis[]) connection.disconnect();
    await health?.close();
  };
  try {
    if (config.http.port !== undefined) {
      health = await HealthServer.start({
        host: config.http.host,
        port: config.http.port,
        metrics: metrics.registry,
        checks: [
          { name: 'mqtt', check: async () => bus?.ready ?? false },
          { name: 'redis', check: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG' },
        ],
      });
    }
    await waitForRedis(redis, redisLog);
    await waitForRedis(reader, redisLog);
    await adviseOnRedisConfig(redis, redisLog);
    if (!config.mqtt.url) embeddedBroker = await EmbeddedBroker.start(config.mqtt.embeddedHost, config.mqtt.embeddedPort);
    const mqttUrl = config.mqtt.url ?? embeddedBroker!.url;
    const topics = new Topics(config.topicPrefix);
    const keys = new RedisKeys(config.redis.keyPrefix);
    bus = await MqttBus.connect(
      {
        url: mqttUrl,
        clientId: config.mqtt.clientId,
        username: config.mqtt.username,
        password: config.mqtt.password,
        protocolVersion: embeddedBroker ? 4 : 5,
        sessionExpirySeconds: config.mqtt.sessionExpirySeconds,
        sharedGroup: config.sharedGroup,
        will: { topic: topics.status, payload: 'offline', qos: 1, retain: true },
        online: { topic: topics.status, payload: 'online', qos: 1, retain: true },
        onReconnect: metrics.mqttReconnected,
      },
      logger.child({ ns: 'registry.mqtt' }),
    );

    const replicaWait = { replicas: config.redis.waitReplicas, timeoutMs: config.redis.waitTimeoutMs };
    const store = RedisThingStore.create(redis, keys, replicaWait);
    const keyCache = new KeyCache();
    const verifier = new SignatureVerifier({ store, operators, keys: keyCache, clock });
    const handlerDeps = { store, clock, keys: keyCache, verifier, registryPublicKeyJson: signingKey.publicJwkJson };
    const dispatcher = new Dispatcher({
      topics,
      bus,
      inFlight,
      metrics,
      handlers: {
        register: registerHandler({ ...handlerDeps, requireProof: config.requireProof }),
        deregister: deregisterHandler(handlerDeps),
        replace: replaceHandler(handlerDeps),
        'update-key': updateKeyHandler(handlerDeps),
      },
      maxPayloadBytes: config.maxPayloadBytes,
      rateLimiter: new RateLimiter(config.limits),
      logger: logger.child({ ns: 'registry.dispatch' }),
    });
    const nodeDispatcher = new NodeDispatcher({
      topics,
      bus,
      inFlight,
      metrics,
      handler: nodeRegisterHandler({ store: RedisNodeStore.create(redis, keys, replicaWait), clock }),
      privateKey: nodeKey.privateKey,
      oaepHash: config.node.oaepHash,
      envelope: config.node.envelope,
      // One RSA block is as long as the modulus; anything longer is refused before any RSA work.
      maxFrameBytes: Math.min(config.maxPayloadBytes, nodeKey.modulusBits / 8),
      cpu: new CpuQueue(config.limits.nodeMaxPending),
      rate: new TokenBucket(config.limits.nodePerSecond, config.limits.nodePerSecond, Date.now()),
      logger: logger.child({ ns: 'registry.nodes' }),
    });
    const service = new RegistryService({
      bus,
      outbox: RedisOutbox.create({ redis, reader, keys, owner: config.mqtt.clientId, leaseMs: 10_000 }),
      topics,
      served: ['register', 'deregister', 'replace', 'update-key'],
      dispatcher,
      nodeDispatcher,
      inFlight,
      registryPublicKeyJson: signingKey.publicJwkJson,
      nodePublicKeyPem: nodeKey.publicPem,
      logger,
    });
    await service.start();
    return {
      mqttUrl,
      embeddedBroker,
      httpPort: health?.port,
      registryPublicKeyJson: signingKey.publicJwkJson,
      nodePublicKeyPem: nodeKey.publicPem,
      topics,
      droppedNodeFrames: () => nodeDispatcher.droppedTokens,
      async stop() {
        await service.stop();
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
