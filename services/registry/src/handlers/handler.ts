import type { SignedEnvelope, ThingRequest } from '@giotto/protocol';

/** What a handler answers: the reply, and any other Things' reply topics that must get it too. */
export interface HandlerResult {
  reply: Record<string, unknown> & { type: string };
  /** UUIDs whose reply topics also receive the reply (ReplaceThing's new UUID, [REG-2.12]). */
  alsoReplyTo?: string[];
}

export interface HandlerInput<R extends ThingRequest> {
  request: R;
  /** The JWS the request came in, when it was signed. */
  envelope: SignedEnvelope | undefined;
}

/** One handler per request kind; it throws RegistryError for every refusal and never publishes. */
export type Handler<R extends ThingRequest = ThingRequest> = (input: HandlerInput<R>) => Promise<HandlerResult>;

/** The requestId member of a reply, present only when the request had one. */
export function echoRequestId(request: { requestId?: string | undefined }): { requestId?: string } {
  return request.requestId !== undefined ? { requestId: request.requestId } : {};
}
