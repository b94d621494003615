import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Bus, InboundMessage, Logger, OutboundMessage } from '../ports.js';

export interface MqttBusOptions {
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  /** 4 for MQTT 3.1.1 (the embedded aedes broker), 5 otherwise. */
  protocolVersion: 4 | 5;
  sessionExpirySeconds: number;
  /** Subscribe through `$share/<group>/…` when set. */
  sharedGroup?: string | undefined;
  /** The last will: published by the broker if the registry vanishes. */
  will: OutboundMessage;
  /** Published again whenever the session comes back (the broker sent the will when it went). */
  online: OutboundMessage;
  /** Called each time a connection is back after a loss. */
  onReconnect?: () => void;
  /** Publishes not yet acknowledged beyond which the bus stops taking requests (default 1000). */
  maxUnacked?: number;
}

const HOLDING = 'giotto: holding messages for the next session';

/**
 * The registry's MQTT side, on two connections:
 * - the session (client id REGISTRY_CLIENT_ID): persistent, clean session off, QoS 1
 *   subscriptions, so requests published while the registry is away are served when it returns
 *   [REG-1.6]; it carries the last will;
 * - the publisher (`<client id>/pub`): every reply, event and record.
 * Apart, a flood can be held back on the session (MQTT.js reads nothing more until the request
 * in hand has room) while the publisher still reads the broker's acks of what it sent.
 */
export class MqttBus implements Bus {
  private holding = false;
  private subscribed = false;
  private handler: ((message: InboundMessage) => Promise<void> | undefined) | undefined;
  /** Set while taking a message: the next one waits for it (backpressure). */
  private gate: Promise<void> | undefined;
  /** A resumed session delivers queued requests right after CONNACK, before subscribe() is called. */
  private early: InboundMessage[] = [];
  private unacked = 0;
  private room: (() => void)[] = [];
  private readonly maxUnacked: number;

  private constructor(
    private readonly session: MqttClient,
    private readonly publisher: MqttClient,
    private readonly options: MqttBusOptions,
    private readonly logger: Logger,
  ) {
    this.maxUnacked = options.maxUnacked ?? 1000;
  }

  /** Connects both (retrying in the background until the broker answers). */
  static async connect(options: MqttBusOptions, logger: Logger): Promise<MqttBus> {
    let bus: MqttBus | undefined;
    const common: IClientOptions = {
      protocolVersion: options.protocolVersion,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      username: options.username,
      password: options.password,
    };
    const session = mqtt.connect(options.url, {
      ...common,
      clientId: options.clientId,
      clean: false,
      // Under MQTT 5 a session ends with the connection unless it asks for an expiry.
      ...(options.protocolVersion === 5 ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds } } : {}),
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true },
      // Declining a message leaves it unacknowledged, so the broker keeps it for the next session.
      customHandleAcks: (_topic, _message, _packet, done) => (bus?.holding ? done(new Error(HOLDING)) : done(0)),
    });
    const publisher = mqtt.connect(options.url, { ...common, clientId: `${options.clientId}/pub`, clean: true });
    bus = new MqttBus(session, publisher, options, logger);
    bus.watch(session, 'session');
    bus.watch(publisher, 'publisher');
    const self = bus;
    session.on('message', (topic, payload, packet) => {
      const props = packet.properties;
      const message: InboundMessage = {
        topic,
        payload,
        ...(props?.responseTopic !== undefined ? { responseTopic: props.responseTopic } : {}),
        ...(props?.correlationData !== undefined ? { correlationData: props.correlationData } : {}),
      };
      if (self.handler) self.gate = self.handler(message);
      else self.early.push(message);
    });
    // MQTT.js parses the session's next packet only once this calls back: waiting here stops
    // reading from the socket, and TCP makes the broker hold the rest.
    session.handleMessage = (_packet, callback) => {
      const waits = [self.gate, self.publisherRoom()].filter((w): w is Promise<void> => w !== undefined);
      self.gate = undefined;
      if (waits.length === 0) callback();
      else Promise.all(waits).then(() => callback(), () => callback());
    };
    await Promise.all([session, publisher].map((c) => new Promise<void>((resolve) => (c.connected ? resolve() : c.once('connect', () => resolve())))));
    return bus;
  }

  private watch(client: MqttClient, name: string): void {
    let connectedBefore = false;
    client.on('error', (err) => {
      if (err.message !== HOLDING) this.logger.warn({ err: err.message, connection: name }, 'mqtt error');
    });
    client.on('offline', () => this.logger.warn({ connection: name }, 'mqtt connection lost; reconnecting'));
    client.on('connect', (connack) => {
      if (connectedBefore) {
        this.options.onReconnect?.();
        if (client === this.session && !this.holding) {
          this.publish(this.options.online).catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'could not publish the online status'));
        }
      }
      connectedBefore = true;
      // MQTT.js leaves Nagle's algorithm on; every reply would then wait ~40 ms for a delayed ACK.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.logger.info({ sessionPresent: connack.sessionPresent, connection: name }, 'mqtt connected');
    });
  }

  /** undefined while the publisher has room; else resolves once the broker has acked enough. */
  private publisherRoom(): Promise<void> | undefined {
    if (this.unacked < this.maxUnacked) return undefined;
    return new Promise((resolve) => this.room.push(resolve));
  }

  /** Ready to serve: both connected, and the request subscriptions in place. */
  get ready(): boolean {
    return this.session.connected && this.publisher.connected && this.subscribed && !this.holding;
  }

  async subscribe(filters: string[], handler: (message: InboundMessage) => Promise<void> | undefined): Promise<void> {
    this.handler = handler;
    for (const message of this.early.splice(0)) handler(message);
    const group = this.options.sharedGroup;
    const shared = filters.map((filter) => (group ? `$share/${group}/${filter}` : filter));
    const granted = await this.session.subscribeAsync(shared, { qos: 1 });
    const refused = granted.filter((g) => g.qos > 1);
    if (refused.length > 0) throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
    this.subscribed = true;
  }

  async publish(message: OutboundMessage): Promise<void> {
    const options: IClientPublishOptions = { qos: message.qos ?? 1, retain: message.retain ?? false };
    if (message.correlationData && this.options.protocolVersion === 5) {
      options.properties = { correlationData: message.correlationData };
    }
    this.unacked++;
    this.corkUntilNextTick();
    try {
      await this.publisher.publishAsync(message.topic, message.payload, options);
    } finally {
      this.unacked--;
      if (this.unacked < this.maxUnacked / 2) for (const resolve of this.room.splice(0)) resolve();
    }
  }

  private corked = false;

  /** Publishes made in one tick leave in one write (MQTT.js writes every packet on its own). */
  private corkUntilNextTick(): void {
    const stream = this.publisher.stream as { cork?: () => void; uncork?: () => void } | undefined;
    if (this.corked || !stream?.cork) return;
    this.corked = true;
    stream.cork();
    process.nextTick(() => {
      this.corked = false;
      stream.uncork?.();
    });
  }

  hold(): void {
    this.holding = true;
  }

  async close(offline: OutboundMessage): Promise<void> {
    this.hold();
    try {
      if (this.publisher.connected) await withTimeout(this.publish(offline), 2000);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not publish the offline status; the last will covers it');
    }
    for (const resolve of this.room.splice(0)) resolve();
    await Promise.all(
      [this.publisher, this.session].map((c) => withTimeout(c.endAsync(false), 3000).catch(() => c.endAsync(true))),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
