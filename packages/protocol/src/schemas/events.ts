import { z } from 'zod';

const at = z.string();
const outboxId = z.string();
const thingId = z.number().int().positive();

export const thingRegisteredSchema = z.object({
  type: z.literal('ThingRegistered'), id: outboxId, thingId, uuid: z.string(), thumbprint: z.string(), at,
});
export const thingDeregisteredSchema = z.object({
  type: z.literal('ThingDeregistered'), id: outboxId, thingId, uuid: z.string(), at,
});
export const thingReplacedSchema = z.object({
  type: z.literal('ThingReplaced'), id: outboxId, thingId, oldUuid: z.string(), uuid: z.string(), thumbprint: z.string(), at,
});
export const thingKeyUpdatedSchema = z.object({
  type: z.literal('ThingKeyUpdated'), id: outboxId, thingId, uuid: z.string(), thumbprint: z.string(), at,
});
export const nodeRegisteredSchema = z.object({
  type: z.literal('NodeRegistered'),
  id: outboxId,
  nodeId: z.string(),
  networkId: z.string(),
  owner: z.string(),
  nodeType: z.number().int(),
  nodeArch: z.number().int(),
  created: z.boolean(),
  at,
});

/** Every event on `registry/events/<kind>` (section 3). */
export const registryEventSchema = z.discriminatedUnion('type', [
  thingRegisteredSchema,
  thingDeregisteredSchema,
  thingReplacedSchema,
  thingKeyUpdatedSchema,
  nodeRegisteredSchema,
]);
export type RegistryEvent = z.infer<typeof registryEventSchema>;
export type ThingRegistered = z.infer<typeof thingRegisteredSchema>;

/** The retained record on `registry/things/<thingId>`. */
export const thingRecordSchema = z.object({
  thingId,
  uuid: z.string(),
  publicKey: z.record(z.string(), z.unknown()),
  thumbprint: z.string(),
  registeredAt: at,
  updatedAt: at,
});
export type ThingRecord = z.infer<typeof thingRecordSchema>;
