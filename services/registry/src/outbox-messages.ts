import type { RegistryEvent, ThingRecord, Topics } from '@giotto/protocol';
import type { OutboundMessage, OutboxEntry } from './ports.js';

/**
 * Turns one outbox entry into what the registry publishes for it [REG-3.2]: the retained Thing
 * record first (so a consumer reacting to the event already finds the record current), then the
 * event. Unknown kinds give nothing (an older instance reading a newer entry skips it).
 */
export function outboxMessages(entry: OutboxEntry, topics: Topics): OutboundMessage[] {
  const f = entry.fields;
  const thingId = Number(f.thingId);
  const record = (registeredAt: string | undefined): OutboundMessage => {
    const value: ThingRecord = {
      thingId,
      uuid: f.uuid!,
      publicKey: JSON.parse(f.publicKey!) as Record<string, unknown>,
      thumbprint: f.thumbprint!,
      registeredAt: registeredAt ?? f.at!,
      updatedAt: f.at!,
    };
    return { topic: topics.thing(thingId), payload: JSON.stringify(value), qos: 1, retain: true };
  };
  const event = (kind: Parameters<Topics['event']>[0], value: RegistryEvent): OutboundMessage => ({
    topic: topics.event(kind),
    payload: JSON.stringify(value),
    qos: 1,
  });

  switch (f.kind) {
    case 'registered':
      return [
        record(f.registeredAt),
        event('registered', { type: 'ThingRegistered', id: entry.id, thingId, uuid: f.uuid!, thumbprint: f.thumbprint!, at: f.at! }),
      ];
    case 'deregistered':
      // An empty retained message clears the record: late subscribers no longer see the Thing.
      return [
        { topic: topics.thing(thingId), payload: '', qos: 1, retain: true },
        event('deregistered', { type: 'ThingDeregistered', id: entry.id, thingId, uuid: f.uuid!, at: f.at! }),
      ];
    case 'replaced':
      return [
        record(f.registeredAt),
        event('replaced', { type: 'ThingReplaced', id: entry.id, thingId, oldUuid: f.oldUuid!, uuid: f.uuid!, thumbprint: f.thumbprint!, at: f.at! }),
      ];
    case 'key-updated':
      return [
        record(f.registeredAt),
        event('key-updated', { type: 'ThingKeyUpdated', id: entry.id, thingId, uuid: f.uuid!, thumbprint: f.thumbprint!, at: f.at! }),
      ];
    case 'node-registered':
      return [
        event('node-registered', {
          type: 'NodeRegistered',
          id: entry.id,
          nodeId: f.nodeId!,
          networkId: f.networkId!,
          owner: f.owner!,
          nodeType: Number(f.nodeType),
          nodeArch: Number(f.nodeArch),
          created: f.created === '1',
          at: f.at!,
        }),
      ];
    default:
      return [];
  }
}
