import type { MqttClient } from 'mqtt';
import { registryEventSchema, thingRecordSchema, Topics, type RegistryEvent, type ThingRecord } from '@giotto/protocol';

/** What a home-automation service sees: records (current Things), removals, and events. */
export type RegistryUpdate =
  | { type: 'thing'; record: ThingRecord; retained: boolean }
  | { type: 'removed'; thingId: number }
  | { type: 'event'; event: RegistryEvent };

export interface RegistryWatcher extends AsyncIterable<RegistryUpdate> {
  /** The Things known now, by thingId (kept current from records and removals). */
  readonly things: ReadonlyMap<number, ThingRecord>;
  close(): Promise<void>;
}

/**
 * Watches the registry: first the retained records (every live Thing), then every record change
 * and every event, as typed objects. Events are at-least-once: repeats (same `id`) are dropped.
 */
export async function watchRegistry(client: MqttClient, options: { topicPrefix?: string } = {}): Promise<RegistryWatcher> {
  const topics = new Topics(options.topicPrefix ?? '');
  const things = new Map<number, ThingRecord>();
  const seen = new Set<string>();
  const queue: RegistryUpdate[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const push = (update: RegistryUpdate) => {
    queue.push(update);
    wake?.();
  };
  const thingPrefix = topics.thing(0).slice(0, -1);
  const eventPrefix = topics.event('registered').slice(0, -'registered'.length);

  const onMessage = (topic: string, payload: Buffer, packet: { retain: boolean }) => {
    if (topic.startsWith(thingPrefix)) {
      const thingId = Number(topic.slice(thingPrefix.length));
      if (payload.length === 0) {
        if (things.delete(thingId)) push({ type: 'removed', thingId });
        return;
      }
      const record = parse(thingRecordSchema, payload);
      if (!record) return;
      things.set(record.thingId, record);
      push({ type: 'thing', record, retained: packet.retain });
    } else if (topic.startsWith(eventPrefix)) {
      const event = parse(registryEventSchema, payload);
      if (!event || seen.has(event.id)) return;
      seen.add(event.id);
      if (seen.size > 100_000) seen.delete(seen.values().next().value!);
      push({ type: 'event', event });
    }
  };
  client.on('message', onMessage);
  await client.subscribeAsync([topics.thingsWildcard, topics.eventsWildcard], { qos: 1 });

  return {
    things,
    async close() {
      closed = true;
      client.off('message', onMessage);
      await client.unsubscribeAsync([topics.thingsWildcard, topics.eventsWildcard]);
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      while (!closed) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
  };
}

function parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, payload: Buffer): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(payload.toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
