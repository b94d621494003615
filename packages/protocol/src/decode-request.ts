import { RegistryError } from './errors.js';
import {
  checkPayloadSize,
  parseJsonPayload,
  RequestError,
  salvageAddress,
  validateRequestBody,
  type ReplyAddress,
  type ThingRequest,
} from './request-parsing.js';
import { decodeSignedRequest, looksLikeJws, type SignedEnvelope } from './signed-request.js';
import type { RequestTopic } from './topics.js';

export interface DecodedRequest {
  request: ThingRequest;
  /** Present when the request came as a JWS (always, except for a plain RegisterThingRequest). */
  envelope: SignedEnvelope | undefined;
}

/**
 * [REG-2.8] The checks before any state is read: size, then parse (JSON, or a JWS whose payload
 * is JSON), then the schema of the topic's request type. `register` takes either form; the
 * signed operations take only a JWS.
 */
export function decodeRequest(kind: RequestTopic, payload: Uint8Array, maxBytes: number): DecodedRequest {
  checkPayloadSize(payload, maxBytes);
  const text = Buffer.from(payload).toString('utf8').trim();
  if (kind === 'register' && !looksLikeJws(text)) {
    return { request: validateRequestBody(kind, parseJsonPayload(payload)), envelope: undefined };
  }
  if (!looksLikeJws(text)) {
    throw new RequestError(new RegistryError('INVALID_REQUEST', 'a signed request must be a JWS compact serialization'), salvageFromText(text));
  }
  const { envelope, body } = decodeSignedRequest(text);
  return { request: validateRequestBody(kind, body), envelope };
}

/** For the reply to a malformed signed request: the uuid of plain JSON, or of a JWS-like payload part. */
function salvageFromText(text: string): ReplyAddress {
  const parts = text.split('.');
  const candidates = parts.length === 3 ? [Buffer.from(parts[1]!, 'base64url').toString('utf8')] : [text];
  for (const candidate of candidates) {
    try {
      return salvageAddress(JSON.parse(candidate));
    } catch {
      // not JSON: nothing to salvage
    }
  }
  return {};
}
