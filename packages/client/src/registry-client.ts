import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  epochSeconds,
  OPERATOR_KID_PREFIX,
  RegistryError,
  replySchema,
  signRequest,
  Topics,
  type DeregisterThingResponse,
  type RegisterThingResponse,
  type ReplaceThingResponse,
  type Reply,
  type RequestTopic,
  type UpdateKeyResponse,
} from '@giotto/protocol';
import { PendingRequests } from './pending-requests.js';
import type { ThingKeys } from './thing-keys.js';

export interface RegistryClientOptions {
  /** MQTT 5 (default) uses Response Topic + Correlation Data; 4 (MQTT 3.1.1, e.g. aedes) uses requestId. */
  protocolVersion?: 4 | 5;
  topicPrefix?: string;
  /** How long to wait for each reply. */
  timeoutMs?: number;
  /** How many times to retry a retryable error (UNAVAILABLE, RATE_LIMITED, INTERNAL). */
  retries?: number;
  /** First backoff; doubled each retry, with jitter; RATE_LIMITED's retryAfterMs wins when longer. */
  backoffMs?: number;
  mqtt?: IClientOptions;
}

/** No reply arrived in time (the registry is down, or the broker refused the request). */
export class RegistryTimeoutError extends Error {
  constructor(readonly requestType: string, readonly timeoutMs: number) {
    super(`no reply to ${requestType} within ${timeoutMs} ms`);
    this.name = 'RegistryTimeoutError';
  }
}

/** Who signs a signed request: the Thing itself, or an operator (kid "operator:<name>"). */
export type Signer = ThingKeys | (ThingKeys & { operator: string });

/**
 * A Thing's (or an operator's) side of the registry: every operation as one awaited call, with
 * the reply topic subscribed before publishing, correlation, a timeout, and retries with backoff
 * for retryable errors only. Refusals throw RegistryError with the wire code.
 */
export class RegistryClient {
  private readonly pending = new PendingRequests();
  private readonly subscribed = new Set<string>();
  private readonly topics: Topics;
  private readonly options: Required<Omit<RegistryClientOptions, 'mqtt' | 'topicPrefix'>>;

  constructor(
    readonly mqttClient: MqttClient,
    options: RegistryClientOptions = {},
  ) {
    this.topics = new Topics(options.topicPrefix ?? '');
    this.options = { protocolVersion: options.protocolVersion ?? 5, timeoutMs: options.timeoutMs ?? 5000, retries: options.retries ?? 3, backoffMs: options.backoffMs ?? 200 };
    mqttClient.on('message', (topic, payload, packet) => {
      if (!topic.startsWith(this.topics.reply(''))) return;
      let parsed: Reply;
      try {
        parsed = replySchema.parse(JSON.parse(payload.toString('utf8')));
      } catch {
        return;
      }
      const correlation = packet.properties?.correlationData?.toString('utf8');
      if (!this.pending.settle(correlation, parsed)) this.pending.settle(parsed.requestId, parsed);
    });
  }

  static async connect(url: string, options: RegistryClientOptions = {}): Promise<RegistryClient> {
    const client = await mqtt.connectAsync(url, { protocolVersion: options.protocolVersion ?? 5, ...options.mqtt });
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    return new RegistryClient(client, options);
  }

  /** RegisterThing: plain JSON, or with `proof` a JWS signed by the key it registers. Idempotent. */
  async registerThing(input: { uuid: string; keys: ThingKeys; proof?: boolean }): Promise<RegisterThingResponse> {
    const reply = await this.send('register', input.uuid, async (requestId) => {
      const body = { type: 'RegisterThingRequest', uuid: input.uuid, publicKey: input.keys.publicJwk, requestId };
      if (!input.proof) return JSON.stringify(body);
      return signRequest({ ...body, iat: epochSeconds(), jti: randomUUID() }, input.keys.privateKey, { alg: input.keys.alg });
    }, true);
    return expectType(reply, 'RegisterThingResponse');
  }

  async deregisterThing(input: { uuid: string; signer: Signer }): Promise<DeregisterThingResponse> {
    const reply = await this.send('deregister', input.uuid, (requestId) => this.signed({ type: 'DeregisterThingRequest', uuid: input.uuid, requestId }, input.signer));
    return expectType(reply, 'DeregisterThingResponse');
  }

  async replaceThing(input: { uuid: string; newUuid: string; newPublicJwk: ThingKeys['publicJwk']; signer: Signer }): Promise<ReplaceThingResponse> {
    const reply = await this.send('replace', input.uuid, (requestId) =>
      this.signed({ type: 'ReplaceThingRequest', uuid: input.uuid, newUuid: input.newUuid, newPublicKey: input.newPublicJwk, requestId }, input.signer),
    );
    return expectType(reply, 'ReplaceThingResponse');
  }

  async updateKey(input: { uuid: string; newPublicJwk: ThingKeys['publicJwk']; signer: Signer }): Promise<UpdateKeyResponse> {
    const reply = await this.send('update-key', input.uuid, (requestId) =>
      this.signed({ type: 'UpdateKeyRequest', uuid: input.uuid, publicKey: input.newPublicJwk, requestId }, input.signer),
    );
    return expectType(reply, 'UpdateKeyResponse');
  }

  async close(): Promise<void> {
    this.pending.cancelAll();
    await this.mqttClient.endAsync();
  }

  private signed(body: Record<string, unknown>, signer: Signer): Promise<string> {
    const kid = 'operator' in signer ? `${OPERATOR_KID_PREFIX}${signer.operator}` : undefined;
    // A fresh iat and jti on every attempt: a retried signed request is a new message.
    return signRequest({ ...body, iat: epochSeconds(), jti: randomUUID() }, signer.privateKey, { alg: signer.alg, ...(kid ? { kid } : {}) });
  }

  /**
   * Publishes a request and waits for its reply, retrying retryable errors with backoff. Only an
   * idempotent request (registration) is also retried after a timeout.
   */
  private async send(kind: RequestTopic, uuid: string, build: (requestId: string) => Promise<string> | string, idempotent = false): Promise<Reply> {
    const replyTopic = this.topics.reply(uuid);
    if (!this.subscribed.has(replyTopic)) {
      await this.mqttClient.subscribeAsync(replyTopic, { qos: 1 });
      this.subscribed.add(replyTopic);
    }
    for (let attempt = 0; ; attempt++) {
      const requestId = randomUUID();
      const reply = this.pending.wait(requestId, this.options.timeoutMs);
      await this.mqttClient.publishAsync(this.topics.request(kind), await build(requestId), {
        qos: 1,
        ...(this.options.protocolVersion === 5 ? { properties: { responseTopic: replyTopic, correlationData: Buffer.from(requestId) } } : {}),
      });
      const answer = await reply;
      const canRetry = attempt < this.options.retries;
      if (answer === undefined) {
        if (idempotent && canRetry) continue;
        throw new RegistryTimeoutError(kind, this.options.timeoutMs);
      }
      if (answer.type !== 'Error') return answer;
      if (!answer.retryable || !canRetry) {
        throw new RegistryError(answer.code, answer.message, answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs });
      }
      const backoff = this.options.backoffMs * 2 ** attempt * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, Math.max(backoff, answer.retryAfterMs ?? 0)));
    }
  }
}

function expectType<T extends Reply['type']>(reply: Reply, type: T): Extract<Reply, { type: T }> {
  if (reply.type !== type) throw new Error(`expected ${type}, got ${reply.type}`);
  return reply as Extract<Reply, { type: T }>;
}
