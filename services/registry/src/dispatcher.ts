import {
  decodeRequest,
  REQUEST_TOPICS,
  RegistryError,
  RequestError,
  toRegistryError,
  type ErrorMessage,
  type ReplyAddress,
  type RequestTopic,
  type ThingRequest,
  type Topics,
} from '@giotto/protocol';
import type { Handler, HandlerResult } from './handlers/handler.js';
import type { Metrics } from './http/metrics.js';
import type { InFlight } from './in-flight.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Bus, InboundMessage, Logger, OutboundMessage } from './ports.js';

export interface DispatcherDeps {
  topics: Topics;
  bus: Bus;
  handlers: Partial<Record<RequestTopic, Handler<never>>>;
  maxPayloadBytes: number;
  logger: Logger;
  inFlight: InFlight;
  metrics: Metrics;
  rateLimiter: RateLimiter;
}

/**
 * Every request passes here: size, parse and schema checks, the handler, then exactly one reply
 * (plus any the handler names). A failure of any kind becomes an Error reply; nothing escapes.
 */
export class Dispatcher {
  private sequence = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Takes one message; the work runs in the background and is counted until its reply is out. */
  handle(message: InboundMessage): void {
    this.deps.inFlight.run(() => this.process(message));
  }

  private async process(message: InboundMessage): Promise<void> {
    const { topics, logger } = this.deps;
    const kind = topics.requestKindOf(message.topic);
    if (kind === undefined) return;
    const started = performance.now();
    const log = logger.child({ req: ++this.sequence, topic: message.topic });
    const requestType = REQUEST_TOPICS[kind];
    let outcome = 'ok';
    let address: ReplyAddress = {};
    let result: HandlerResult;
    try {
      const { request, envelope } = decodeRequest(kind, message.payload, this.deps.maxPayloadBytes);
      address = { uuid: request.uuid, ...(request.requestId !== undefined ? { requestId: request.requestId } : {}) };
      if (message.responseTopic !== undefined && !topics.isAllowedResponseTopic(message.responseTopic)) {
        throw new RegistryError('INVALID_REQUEST', 'the Response Topic may not be a request topic or a registry topic');
      }
      const wait = this.deps.rateLimiter.take(request.uuid.toLowerCase());
      if (wait > 0) throw new RegistryError('RATE_LIMITED', 'too many requests; retry later', { retryAfterMs: wait });
      const handler = this.deps.handlers[kind] as Handler<ThingRequest> | undefined;
      if (!handler) throw new RegistryError('INVALID_REQUEST', `${requestType} is not served by this registry`);
      result = await handler({ request, envelope });
      log.info({ uuid: request.uuid, outcome: result.reply.type }, 'request served');
    } catch (err) {
      const error = toRegistryError(err);
      outcome = error.code;
      if (err instanceof RequestError) address = err.address;
      if (error.code === 'INTERNAL') log.error({ err: error.cause ?? err }, 'request failed');
      else log.info({ code: error.code, reason: error.message }, 'request refused');
      result = { reply: errorReply(requestType, address, error) };
    }
    this.reply(message, address, result, log);
    this.deps.metrics.observeRequest(kind, outcome, (performance.now() - started) / 1000);
  }

  /** [REG-1.1] The Response Topic when given (and allowed), else the UUID's reply topic, else registry/errors. */
  private reply(message: InboundMessage, address: ReplyAddress, result: HandlerResult, log: Logger): void {
    const { topics, bus } = this.deps;
    const payload = JSON.stringify(result.reply);
    const outgoing: OutboundMessage[] = [];
    if (message.responseTopic !== undefined && topics.isAllowedResponseTopic(message.responseTopic)) {
      outgoing.push({
        topic: message.responseTopic,
        payload,
        qos: 1,
        ...(message.correlationData ? { correlationData: message.correlationData } : {}),
      });
    } else {
      outgoing.push({ topic: address.uuid !== undefined ? topics.reply(address.uuid) : topics.errors, payload, qos: address.uuid !== undefined ? 1 : 0 });
    }
    for (const uuid of result.alsoReplyTo ?? []) outgoing.push({ topic: topics.reply(uuid), payload, qos: 1 });
    // Not awaited: the request is done once its reply is handed over. MQTT.js keeps QoS 1 until the
    // broker acks it, and MqttBus takes no new request while too many acks are outstanding.
    for (const m of outgoing) bus.publish(m).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'reply could not be published'));
  }
}

function errorReply(requestType: string, address: ReplyAddress, error: RegistryError): ErrorMessage {
  return {
    type: 'Error',
    requestType,
    ...(address.uuid !== undefined ? { uuid: address.uuid } : {}),
    ...(address.requestId !== undefined ? { requestId: address.requestId } : {}),
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
}
