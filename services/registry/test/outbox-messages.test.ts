import { describe, expect, it } from 'vitest';
import { registryEventSchema, thingRecordSchema, Topics } from '@giotto/protocol';
import { outboxMessages } from '../src/outbox-messages.js';

const topics = new Topics('p/');
const base = { thingId: '7', uuid: 'u-1', thumbprint: 'tp', publicKey: '{"kty":"RSA","n":"x","e":"AQAB"}', registeredAt: '2026-01-01T00:00:00.000Z', at: '2026-02-02T00:00:00.000Z' };

describe('outbox entry → messages [REG-3.2]', () => {
  it('registered: the retained record first, then the event', () => {
    const [record, event] = outboxMessages({ id: '1-0', fields: { kind: 'registered', ...base } }, topics);
    expect(record).toMatchObject({ topic: 'p/registry/things/7', retain: true, qos: 1 });
    expect(thingRecordSchema.parse(JSON.parse(record!.payload as string))).toEqual({
      thingId: 7, uuid: 'u-1', publicKey: { kty: 'RSA', n: 'x', e: 'AQAB' }, thumbprint: 'tp', registeredAt: base.registeredAt, updatedAt: base.at,
    });
    expect(event).toMatchObject({ topic: 'p/registry/events/registered', qos: 1 });
    expect(registryEventSchema.parse(JSON.parse(event!.payload as string))).toEqual({ type: 'ThingRegistered', id: '1-0', thingId: 7, uuid: 'u-1', thumbprint: 'tp', at: base.at });
  });

  it('deregistered clears the retained record with an empty retained message', () => {
    const [clear, event] = outboxMessages({ id: '2-0', fields: { kind: 'deregistered', thingId: '7', uuid: 'u-1', at: base.at } }, topics);
    expect(clear).toEqual({ topic: 'p/registry/things/7', payload: '', qos: 1, retain: true });
    expect(JSON.parse(event!.payload as string)).toMatchObject({ type: 'ThingDeregistered', thingId: 7 });
  });

  it('replaced and key-updated keep registeredAt and move updatedAt; node-registered has no record', () => {
    const replaced = outboxMessages({ id: '3-0', fields: { kind: 'replaced', ...base, oldUuid: 'u-0' } }, topics);
    expect(JSON.parse(replaced[0]!.payload as string)).toMatchObject({ registeredAt: base.registeredAt, updatedAt: base.at, uuid: 'u-1' });
    expect(JSON.parse(replaced[1]!.payload as string)).toMatchObject({ type: 'ThingReplaced', oldUuid: 'u-0', uuid: 'u-1' });
    expect(outboxMessages({ id: '4-0', fields: { kind: 'key-updated', ...base } }, topics).map((m) => m.topic)).toEqual(['p/registry/things/7', 'p/registry/events/key-updated']);
    const node = outboxMessages({ id: '5-0', fields: { kind: 'node-registered', nodeId: 'n', networkId: 'w', owner: 'o', nodeType: '2', nodeArch: '4', created: '1', at: base.at } }, topics);
    expect(node).toHaveLength(1);
    expect(registryEventSchema.parse(JSON.parse(node[0]!.payload as string))).toMatchObject({ type: 'NodeRegistered', nodeType: 2, nodeArch: 4, created: true });
  });

  it('an unknown kind gives nothing (an older instance reading a newer entry)', () => {
    expect(outboxMessages({ id: '6-0', fields: { kind: 'something-new' } }, topics)).toEqual([]);
  });
});
