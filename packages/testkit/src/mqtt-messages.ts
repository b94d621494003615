import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
  /** The payload parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

function tryJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Connects a test client and waits for CONNACK. Defaults: MQTT 5, clean session. */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  // MQTT.js leaves Nagle's algorithm on, which adds ~40 ms to every round trip on loopback.
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return client;
}

/**
 * Records every message a client receives on the filters it subscribes to, and lets a test wait
 * for the first one (already received or still to come) that matches a predicate.
 */
export class MessageLog {
  readonly messages: ReceivedMessage[] = [];
  private waiters: { match: (m: ReceivedMessage) => boolean; resolve: (m: ReceivedMessage) => void }[] = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const message = { topic, payload, packet, json: tryJson(payload) };
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  static async subscribe(client: MqttClient, filters: string | string[]): Promise<MessageLog> {
    const log = new MessageLog(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return log;
  }

  waitFor(match: (m: ReceivedMessage) => boolean, timeoutMs = 5000, what = 'a matching message'): Promise<ReceivedMessage> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.messages.length} messages`));
      }, timeoutMs);
      const done = (m: ReceivedMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Waits until `count` messages match, then returns them. */
  async waitForCount(match: (m: ReceivedMessage) => boolean, count: number, timeoutMs = 10_000): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.messages.filter(match);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms: ${matching.length} of ${count} messages arrived`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  onTopic(topic: string): ReceivedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }
}
