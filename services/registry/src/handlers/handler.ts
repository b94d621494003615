import type { ThingRequest } from '@giotto/protocol';

/** What a handler answers: the reply, and any other Things' reply topics that must get it too. */
export interface HandlerResult {
  reply: Record<string, unknown> & { type: string };
  /** UUIDs whose reply topics also receive the reply (ReplaceThing's new UUID, [REG-2.13]). */
  alsoReplyTo?: string[];
}

/** One handler per request kind; it throws RegistryError for every refusal and never publishes. */
export type Handler<R extends ThingRequest = ThingRequest> = (request: R) => Promise<HandlerResult>;
