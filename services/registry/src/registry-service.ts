import type { RequestTopic, Topics } from '@giotto/protocol';
import type { Dispatcher } from './dispatcher.js';
import type { InFlight } from './in-flight.js';
import type { NodeDispatcher } from './node-dispatcher.js';
import { OutboxRelay } from './outbox-relay.js';
import type { Bus, Logger, Outbox } from './ports.js';

export interface RegistryServiceDeps {
  bus: Bus;
  outbox: Outbox;
  topics: Topics;
  /** The request kinds this instance serves. */
  served: RequestTopic[];
  dispatcher: Dispatcher;
  nodeDispatcher: NodeDispatcher | undefined;
  inFlight: InFlight;
  registryPublicKeyJson: string;
  nodePublicKeyPem: string | undefined;
  logger: Logger;
}

/** Ties the bus to the dispatchers and the outbox relay, and owns the start and stop order. */
export class RegistryService {
  private readonly relay: OutboxRelay;

  constructor(private readonly deps: RegistryServiceDeps) {
    this.relay = new OutboxRelay({ ...deps, logger: deps.logger.child({ ns: 'registry.outbox' }) });
  }

  async start(): Promise<void> {
    const { bus, topics, dispatcher, nodeDispatcher } = this.deps;
    const filters = this.deps.served.map((kind) => topics.request(kind));
    if (nodeDispatcher) filters.push(topics.nodeRegisterWildcard);
    await bus.subscribe(filters, (message) => {
      if (nodeDispatcher && topics.nodeTokenOf(message.topic) !== undefined) nodeDispatcher.handle(message);
      else dispatcher.handle(message);
      return this.deps.inFlight.whenRoom();
    });
    await bus.publish({ topic: topics.publicKey, payload: this.deps.registryPublicKeyJson, qos: 1, retain: true });
    if (this.deps.nodePublicKeyPem) await bus.publish({ topic: topics.nodePublicKey, payload: this.deps.nodePublicKeyPem, qos: 1, retain: true });
    await bus.publish({ topic: topics.status, payload: 'online', qos: 1, retain: true });
    this.relay.start();
  }

  /** Graceful stop: take no more, answer what is in flight, flush the outbox, say offline. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const { bus, topics, logger, inFlight } = this.deps;
    bus.hold();
    await inFlight.drain(timeoutMs);
    if (inFlight.pending > 0) logger.warn({ pending: inFlight.pending }, 'stopping with requests unanswered');
    await this.relay.stop();
    await bus.close({ topic: topics.status, payload: 'offline', qos: 1, retain: true });
  }
}
