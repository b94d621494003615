import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = (schemes: string[]) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.map((s) => s.replace(':', '://')).join(', ')}`);

/** Every environment variable the service reads (docs/PROTOCOL.md section 6), with its default. */
const envSchema = z.object({
  MQTT_URL: url(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:']).optional(),
  EMBEDDED_BROKER_HOST: z.string().min(1).default('127.0.0.1'),
  EMBEDDED_BROKER_PORT: port.default(1883),
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD: z.string().optional(),
  MQTT_PASSWORD_FILE: z.string().min(1).optional(),
  MQTT_SESSION_EXPIRY_SECONDS: z.coerce.number().int().min(0).max(0xffffffff).default(86_400),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1000),
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  REDIS_WAIT_TIMEOUT_MS: positiveInt.default(500),
  REGISTRY_DATA_DIR: z.string().min(1).default('.data'),
  REGISTRY_SIGNING_KEY_PATH: z.string().min(1).optional(),
  REGISTRY_OPERATOR_KEYS: z.string().min(1).optional(),
  REGISTRY_REQUIRE_PROOF: bool.default(false),
  RSA_PKEY_PATH: z.string().min(1).optional(),
  NODE_OAEP_HASH: z.enum(['sha256', 'sha1']).default('sha256'),
  NODE_ENVELOPE: z.enum(['ijam', 'gcm']).default('ijam'),
  REGISTRY_TOPIC_PREFIX: z
    .string()
    .regex(/^[^+#\u0000]*$/, 'must not contain MQTT wildcards')
    .default(''),
  REGISTRY_SHARED_GROUP: z.string().regex(/^[^/+#\u0000]+$/, 'must be one topic level without wildcards').optional(),
  REGISTRY_MAX_PAYLOAD: positiveInt.max(256 * 1024 * 1024).default(16_384),
  REGISTRY_REDIS_PREFIX: z.string().min(1).default('giotto:{registry}:'),
  REGISTRY_CLIENT_ID: z.string().min(1).max(128).default(`giotto-registry-${hostname()}`),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  REGISTRY_RATE_LIMIT_PER_SECOND: positiveInt.default(5000),
  REGISTRY_RATE_LIMIT_PER_THING_PER_MINUTE: positiveInt.default(120),
  REGISTRY_RATE_LIMIT_PER_THING_BURST: positiveInt.default(20),
  REGISTRY_MAX_IN_FLIGHT: positiveInt.default(1000),
  NODE_RATE_LIMIT_PER_SECOND: positiveInt.default(500),
  NODE_MAX_PENDING: positiveInt.default(64),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: port.default(9464),
});

export interface Config {
  mqtt: {
    /** undefined: run the embedded broker and connect to it. */
    url: string | undefined;
    embeddedHost: string;
    embeddedPort: number;
    username: string | undefined;
    password: string | undefined;
    clientId: string;
    sessionExpirySeconds: number;
  };
  redis: {
    url: string | undefined;
    commandTimeoutMs: number;
    keyPrefix: string;
    /** Acknowledge a change only once this many replicas have it (0: do not wait). */
    waitReplicas: number;
    waitTimeoutMs: number;
  };
  dataDir: string;
  signingKeyPath: string;
  /** Path of the operators' public JWKS, if any. */
  operatorKeysPath: string | undefined;
  requireProof: boolean;
  node: { rsaKeyPath: string; oaepHash: 'sha256' | 'sha1'; envelope: 'ijam' | 'gcm' };
  topicPrefix: string;
  sharedGroup: string | undefined;
  maxPayloadBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  limits: {
    globalPerSecond: number;
    perThingPerMinute: number;
    perThingBurst: number;
    maxInFlight: number;
    nodePerSecond: number;
    nodeMaxPending: number;
  };
  /** `/healthz`, `/readyz`, `/metrics`; port undefined: off. */
  http: { host: string; port: number | undefined };
}

/** Thrown with every problem at once, one `VARIABLE: what is wrong` per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; a wrong value fails here, before anything starts. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // An empty variable means "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        const given = present[name];
        return `${name}: ${issue.message}${given === undefined ? '' : ` (got "${given}")`}`;
      }),
    );
  }
  const e = result.data;
  const problems: string[] = [];
  let password = e.MQTT_PASSWORD;
  if (e.MQTT_PASSWORD_FILE !== undefined) {
    if (password !== undefined) problems.push('MQTT_PASSWORD_FILE: set either MQTT_PASSWORD or MQTT_PASSWORD_FILE, not both');
    try {
      password = readFileSync(e.MQTT_PASSWORD_FILE, 'utf8').trim();
    } catch (err) {
      problems.push(`MQTT_PASSWORD_FILE: cannot read ${e.MQTT_PASSWORD_FILE} (${(err as Error).message})`);
    }
  }
  if (e.REDIS_WAIT_REPLICAS > 0 && e.REDIS_WAIT_TIMEOUT_MS >= e.REDIS_COMMAND_TIMEOUT_MS) {
    problems.push('REDIS_WAIT_TIMEOUT_MS: must be shorter than REDIS_COMMAND_TIMEOUT_MS, or every WAIT would time out as a failed command');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = resolve(e.REGISTRY_DATA_DIR);
  return Object.freeze({
    mqtt: {
      url: e.MQTT_URL,
      embeddedHost: e.EMBEDDED_BROKER_HOST,
      embeddedPort: e.EMBEDDED_BROKER_PORT,
      username: e.MQTT_USERNAME,
      password,
      clientId: e.REGISTRY_CLIENT_ID,
      sessionExpirySeconds: e.MQTT_SESSION_EXPIRY_SECONDS,
    },
    redis: {
      url: e.REDIS_URL,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      keyPrefix: e.REGISTRY_REDIS_PREFIX,
      waitReplicas: e.REDIS_WAIT_REPLICAS,
      waitTimeoutMs: e.REDIS_WAIT_TIMEOUT_MS,
    },
    dataDir,
    signingKeyPath: resolve(e.REGISTRY_SIGNING_KEY_PATH ?? join(dataDir, 'registry-signing-key.jwk')),
    operatorKeysPath: e.REGISTRY_OPERATOR_KEYS === undefined ? undefined : resolve(e.REGISTRY_OPERATOR_KEYS),
    requireProof: e.REGISTRY_REQUIRE_PROOF,
    node: {
      rsaKeyPath: resolve(e.RSA_PKEY_PATH ?? join(dataDir, 'node-rsa-key.pem')),
      oaepHash: e.NODE_OAEP_HASH,
      envelope: e.NODE_ENVELOPE,
    },
    topicPrefix: e.REGISTRY_TOPIC_PREFIX,
    sharedGroup: e.REGISTRY_SHARED_GROUP,
    maxPayloadBytes: e.REGISTRY_MAX_PAYLOAD,
    logLevel: e.LOG_LEVEL,
    limits: {
      globalPerSecond: e.REGISTRY_RATE_LIMIT_PER_SECOND,
      perThingPerMinute: e.REGISTRY_RATE_LIMIT_PER_THING_PER_MINUTE,
      perThingBurst: e.REGISTRY_RATE_LIMIT_PER_THING_BURST,
      maxInFlight: e.REGISTRY_MAX_IN_FLIGHT,
      nodePerSecond: e.NODE_RATE_LIMIT_PER_SECOND,
      nodeMaxPending: e.NODE_MAX_PENDING,
    },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT === 0 ? undefined : e.HTTP_PORT },
  });
}
