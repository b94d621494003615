import {
  checkThingJwk,
  normalizeUuid,
  RegistryError,
  thumbprintOf,
  type RegisterThingRequest,
  type ThingPublicJwk,
} from '@giotto/protocol';
import type { KeyCache } from '../key-cache.js';
import type { Clock, ThingStore } from '../ports.js';
import type { SignatureVerifier } from '../signature-verifier.js';
import { echoRequestId, type Handler } from './handler.js';

export interface RegisterDeps {
  store: ThingStore;
  clock: Clock;
  keys: KeyCache;
  verifier: SignatureVerifier;
  registryPublicKeyJson: string;
  /** REGISTRY_REQUIRE_PROOF: refuse plain JSON registrations. */
  requireProof: boolean;
}

/** Checks a Thing key by the rules and by importing it (cached by thumbprint). */
export function acceptThingKey(input: unknown, keys: KeyCache): { jwk: ThingPublicJwk; thumbprint: string } {
  const jwk = checkThingJwk(input);
  const thumbprint = thumbprintOf(jwk);
  keys.get(jwk, thumbprint);
  return { jwk, thumbprint };
}

/**
 * RegisterThing [REG-2.5]: idempotent per (uuid, key); another key for a known uuid is
 * KEY_MISMATCH. Sent as a JWS, it is a proof of possession: signed by the key it registers.
 */
export function registerHandler(deps: RegisterDeps): Handler<RegisterThingRequest> {
  return async ({ request, envelope }) => {
    if (!envelope && deps.requireProof) {
      throw new RegistryError('FORBIDDEN', 'this registry requires proof of possession: send the request as a JWS signed by the key it registers');
    }
    if (envelope && request.iat === undefined) throw new RegistryError('INVALID_REQUEST', 'a signed RegisterThingRequest needs iat');
    const key = acceptThingKey(request.publicKey, deps.keys);
    if (envelope) {
      await deps.verifier.verifySignature(envelope, key.jwk, key.thumbprint);
      deps.verifier.checkIat(request.iat!);
    }
    const { outcome, thingId } = await deps.store.registerThing({
      uuid: normalizeUuid(request.uuid),
      publicKeyJson: JSON.stringify(key.jwk),
      thumbprint: key.thumbprint,
      at: deps.clock.now().toISOString(),
    });
    if (outcome === 'mismatch') {
      throw new RegistryError('KEY_MISMATCH', `${request.uuid} is registered with another key`);
    }
    return {
      reply: {
        type: 'RegisterThingResponse',
        uuid: request.uuid,
        thingId,
        publicKey: request.publicKey,
        registryPublicKey: deps.registryPublicKeyJson,
        ...echoRequestId(request),
      },
    };
  };
}
