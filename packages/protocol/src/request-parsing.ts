import { z } from 'zod';
import { RegistryError } from './errors.js';
import { REQUEST_TOPICS, type RequestTopic } from './topics.js';
import { requestSchemas } from './schemas/thing-messages.js';
import { requestIdSchema, uuidSchema } from './schemas/common.js';

export type ThingRequest = z.infer<(typeof requestSchemas)[keyof typeof requestSchemas]>;

/** Where an answer to a request can go: the fields of the request that were usable, if any. */
export interface ReplyAddress {
  uuid?: string;
  requestId?: string;
}

/** A RegistryError that also carries what could be salvaged of the request to address the reply. */
export class RequestError extends RegistryError {
  readonly address: ReplyAddress;

  constructor(error: RegistryError, address: ReplyAddress) {
    super(error.code, error.message, { cause: error.cause, retryAfterMs: error.retryAfterMs });
    this.address = address;
  }
}

/** Picks the uuid and requestId out of a payload that failed validation, when they are themselves valid. */
export function salvageAddress(value: unknown): ReplyAddress {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const address: ReplyAddress = {};
  const uuid = uuidSchema.safeParse(record.uuid);
  if (uuid.success) address.uuid = uuid.data;
  const requestId = requestIdSchema.safeParse(record.requestId);
  if (requestId.success) address.requestId = requestId.data;
  return address;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * [REG-2.8] Size, then parse, then schema, for a request already decoded to a JSON value.
 * The payload's `type` must be the topic's request type ([REG-2.4]).
 */
export function validateRequestBody<K extends RequestTopic>(
  kind: K,
  body: unknown,
): z.infer<(typeof requestSchemas)[(typeof REQUEST_TOPICS)[K]]> {
  const expected = REQUEST_TOPICS[kind];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError(new RegistryError('INVALID_REQUEST', `${expected} must be a JSON object`), {});
  }
  const type = (body as Record<string, unknown>).type;
  if (type !== expected) {
    throw new RequestError(
      new RegistryError('INVALID_REQUEST', `type must be "${expected}" on this topic`),
      salvageAddress(body),
    );
  }
  const result = requestSchemas[expected].safeParse(body);
  if (!result.success) {
    throw new RequestError(
      new RegistryError('INVALID_REQUEST', `invalid ${expected}: ${describeIssues(result.error)}`),
      salvageAddress(body),
    );
  }
  return result.data as z.infer<(typeof requestSchemas)[(typeof REQUEST_TOPICS)[K]]>;
}

/** [REG-2.7] Refuses a payload over the size limit before anything parses it. */
export function checkPayloadSize(payload: Uint8Array, maxBytes: number): void {
  if (payload.byteLength > maxBytes) {
    throw new RequestError(
      new RegistryError('PAYLOAD_TOO_LARGE', `payload is ${payload.byteLength} bytes; the limit is ${maxBytes}`),
      {},
    );
  }
}

/** Parses a JSON payload; anything that is not JSON text is INVALID_REQUEST. */
export function parseJsonPayload(payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new RequestError(new RegistryError('INVALID_REQUEST', 'payload is not valid JSON'), {});
  }
}
