import { REQUEST_TOPICS, type RequestTopic, type Topics } from '@giotto/protocol';
import { Dispatcher } from './dispatcher.js';
import type { Handler } from './handlers/handler.js';
import { OutboxRelay } from './outbox-relay.js';
import type { Bus, Logger, Outbox } from './ports.js';

export interface RegistryServiceDeps {
  bus: Bus;
  outbox: Outbox;
  topics: Topics;
  handlers: Partial<Record<RequestTopic, Handler<never>>>;
  registryPublicKeyJson: string;
  maxPayloadBytes: number;
  logger: Logger;
}

/** Ties the bus to the dispatcher and the outbox relay, and owns the start and stop order. */
export class RegistryService {
  private readonly dispatcher: Dispatcher;
  private readonly relay: OutboxRelay;

  constructor(private readonly deps: RegistryServiceDeps) {
    this.dispatcher = new Dispatcher({ ...deps, logger: deps.logger.child({ ns: 'registry.dispatch' }) });
    this.relay = new OutboxRelay({ ...deps, logger: deps.logger.child({ ns: 'registry.outbox' }) });
  }

  async start(): Promise<void> {
    const { bus, topics } = this.deps;
    const kinds = Object.keys(REQUEST_TOPICS) as RequestTopic[];
    const served = kinds.filter((kind) => this.deps.handlers[kind] !== undefined);
    await bus.subscribe(served.map((kind) => topics.request(kind)), (message) => this.dispatcher.handle(message));
    await bus.publish({ topic: topics.publicKey, payload: this.deps.registryPublicKeyJson, qos: 1, retain: true });
    await bus.publish({ topic: topics.status, payload: 'online', qos: 1, retain: true });
    this.relay.start();
  }

  /** Graceful stop: take no more, answer what is in flight, flush the outbox, say offline. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const { bus, topics, logger } = this.deps;
    bus.hold();
    await this.dispatcher.drain(timeoutMs);
    if (this.dispatcher.pending > 0) logger.warn({ pending: this.dispatcher.pending }, 'stopping with requests unanswered');
    await this.relay.stop();
    await bus.close({ topic: topics.status, payload: 'offline', qos: 1, retain: true });
  }
}
