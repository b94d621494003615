import { z } from 'zod';
import { ERROR_CODE_LIST } from '../errors.js';
import { iatSchema, jtiSchema, publicKeyFieldSchema, requestIdSchema, uuidSchema } from './common.js';

// Requests: unknown members are ignored (stripped), so clients may add their own fields.

export const registerThingRequestSchema = z.object({
  type: z.literal('RegisterThingRequest'),
  uuid: uuidSchema,
  publicKey: publicKeyFieldSchema,
  requestId: requestIdSchema.optional(),
  /** Only in a proof-of-possession JWS payload. */
  iat: iatSchema.optional(),
  jti: jtiSchema.optional(),
});
export type RegisterThingRequest = z.infer<typeof registerThingRequestSchema>;

export const deregisterThingRequestSchema = z.object({
  type: z.literal('DeregisterThingRequest'),
  uuid: uuidSchema,
  iat: iatSchema,
  jti: jtiSchema,
  requestId: requestIdSchema.optional(),
});
export type DeregisterThingRequest = z.infer<typeof deregisterThingRequestSchema>;

export const replaceThingRequestSchema = z.object({
  type: z.literal('ReplaceThingRequest'),
  uuid: uuidSchema,
  newUuid: uuidSchema,
  newPublicKey: publicKeyFieldSchema,
  iat: iatSchema,
  jti: jtiSchema,
  requestId: requestIdSchema.optional(),
});
export type ReplaceThingRequest = z.infer<typeof replaceThingRequestSchema>;

export const updateKeyRequestSchema = z.object({
  type: z.literal('UpdateKeyRequest'),
  uuid: uuidSchema,
  publicKey: publicKeyFieldSchema,
  iat: iatSchema,
  jti: jtiSchema,
  requestId: requestIdSchema.optional(),
});
export type UpdateKeyRequest = z.infer<typeof updateKeyRequestSchema>;

/** The request schema of each request type (the topic names the type, [REG-2.4]). */
export const requestSchemas = {
  RegisterThingRequest: registerThingRequestSchema,
  DeregisterThingRequest: deregisterThingRequestSchema,
  ReplaceThingRequest: replaceThingRequestSchema,
  UpdateKeyRequest: updateKeyRequestSchema,
} as const;

// Replies: exact shapes, used by clients and tests to check what the registry sends.

const publicKeyEcho = z.union([z.string(), z.record(z.string(), z.unknown())]);

export const registerThingResponseSchema = z.object({
  type: z.literal('RegisterThingResponse'),
  uuid: z.string(),
  thingId: z.number().int().positive(),
  publicKey: publicKeyEcho,
  registryPublicKey: z.string(),
  requestId: z.string().optional(),
});
export type RegisterThingResponse = z.infer<typeof registerThingResponseSchema>;

export const deregisterThingResponseSchema = z.object({
  type: z.literal('DeregisterThingResponse'),
  uuid: z.string(),
  thingId: z.number().int().positive(),
  requestId: z.string().optional(),
});
export type DeregisterThingResponse = z.infer<typeof deregisterThingResponseSchema>;

export const replaceThingResponseSchema = z.object({
  type: z.literal('ReplaceThingResponse'),
  oldUuid: z.string(),
  uuid: z.string(),
  thingId: z.number().int().positive(),
  publicKey: publicKeyEcho,
  registryPublicKey: z.string(),
  requestId: z.string().optional(),
});
export type ReplaceThingResponse = z.infer<typeof replaceThingResponseSchema>;

export const updateKeyResponseSchema = z.object({
  type: z.literal('UpdateKeyResponse'),
  uuid: z.string(),
  thingId: z.number().int().positive(),
  publicKey: publicKeyEcho,
  registryPublicKey: z.string(),
  requestId: z.string().optional(),
});
export type UpdateKeyResponse = z.infer<typeof updateKeyResponseSchema>;

export const errorMessageSchema = z.object({
  type: z.literal('Error'),
  requestType: z.string().optional(),
  uuid: z.string().optional(),
  requestId: z.string().optional(),
  code: z.enum(ERROR_CODE_LIST),
  message: z.string(),
  retryable: z.boolean(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorMessage = z.infer<typeof errorMessageSchema>;

export const replySchema = z.discriminatedUnion('type', [
  registerThingResponseSchema,
  deregisterThingResponseSchema,
  replaceThingResponseSchema,
  updateKeyResponseSchema,
  errorMessageSchema,
]);
export type Reply = z.infer<typeof replySchema>;
