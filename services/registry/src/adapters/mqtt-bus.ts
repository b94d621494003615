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
  /** Called each time the connection is back after a loss. */
  onReconnect?: () => void;
}

const HOLDING = 'giotto: holding messages for the next session';

/**
 * The registry's MQTT connection: a persistent session (clean session off, QoS 1 subscriptions)
 * so requests published while it is away are served when it returns [REG-1.6].
 */
export class MqttBus implements Bus {
  private holding = false;
  private subscribed = false;
  private handler: ((message: InboundMessage) => void) | undefined;
  /** A resumed session delivers queued requests right after CONNACK, before subscribe() is called. */
  private early: InboundMessage[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly options: MqttBusOptions,
    private readonly logger: Logger,
  ) {}

  /** Connects (retrying in the background until the broker answers). */
  static async connect(options: MqttBusOptions, logger: Logger): Promise<MqttBus> {
    let bus: MqttBus | undefined;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: false,
      protocolVersion: options.protocolVersion,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      username: options.username,
      password: options.password,
      // Under MQTT 5 a session ends with the connection unless it asks for an expiry.
      ...(options.protocolVersion === 5 ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds } } : {}),
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true },
      // Declining a message leaves it unacknowledged, so the broker keeps it for the next session.
      customHandleAcks: (_topic, _message, _packet, done) => (bus?.holding ? done(new Error(HOLDING)) : done(0)),
    };
    const client = mqtt.connect(options.url, clientOptions);
    bus = new MqttBus(client, options, logger);
    const self = bus;
    client.on('message', (topic, payload, packet) => {
      const props = packet.properties;
      const message: InboundMessage = {
        topic,
        payload,
        ...(props?.responseTopic !== undefined ? { responseTopic: props.responseTopic } : {}),
        ...(props?.correlationData !== undefined ? { correlationData: props.correlationData } : {}),
      };
      if (self.handler) self.handler(message);
      else self.early.push(message);
    });
    client.on('error', (err) => {
      if (err.message !== HOLDING) logger.warn({ err: err.message }, 'mqtt error');
    });
    client.on('offline', () => logger.warn('mqtt connection lost; reconnecting'));
    let connectedBefore = false;
    client.on('connect', (connack) => {
      if (connectedBefore) options.onReconnect?.();
      connectedBefore = true;
      // MQTT.js leaves Nagle's algorithm on; every reply would then wait ~40 ms for a delayed ACK.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      logger.info({ sessionPresent: connack.sessionPresent }, 'mqtt connected');
    });
    await new Promise<void>((resolve) => {
      if (client.connected) resolve();
      else client.once('connect', () => resolve());
    });
    return bus;
  }

  /** Ready to serve: connected, and the request subscriptions are in place. */
  get ready(): boolean {
    return this.client.connected && this.subscribed && !this.holding;
  }

  async subscribe(filters: string[], handler: (message: InboundMessage) => void): Promise<void> {
    this.handler = handler;
    for (const message of this.early.splice(0)) handler(message);
    const group = this.options.sharedGroup;
    const shared = filters.map((filter) => (group ? `$share/${group}/${filter}` : filter));
    const granted = await this.client.subscribeAsync(shared, { qos: 1 });
    const refused = granted.filter((g) => g.qos > 1);
    if (refused.length > 0) throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
    this.subscribed = true;
  }

  async publish(message: OutboundMessage): Promise<void> {
    const options: IClientPublishOptions = { qos: message.qos ?? 1, retain: message.retain ?? false };
    if (message.correlationData && this.options.protocolVersion === 5) {
      options.properties = { correlationData: message.correlationData };
    }
    await this.client.publishAsync(message.topic, message.payload, options);
  }

  hold(): void {
    this.holding = true;
  }

  async close(offline: OutboundMessage): Promise<void> {
    this.hold();
    try {
      if (this.client.connected) await withTimeout(this.publish(offline), 2000);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not publish the offline status; the last will covers it');
    }
    await withTimeout(this.client.endAsync(false), 3000).catch(() => this.client.endAsync(true));
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
