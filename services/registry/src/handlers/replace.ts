import { normalizeUuid, type ReplaceThingRequest } from '@giotto/protocol';
import type { KeyCache } from '../key-cache.js';
import type { Clock, ThingStore } from '../ports.js';
import type { SignatureVerifier } from '../signature-verifier.js';
import { refuseUnlessDone } from './change-outcome.js';
import { echoRequestId, type Handler } from './handler.js';
import { acceptThingKey } from './register.js';

export interface ReplaceDeps {
  store: ThingStore;
  clock: Clock;
  keys: KeyCache;
  verifier: SignatureVerifier;
  registryPublicKeyJson: string;
}

/**
 * ReplaceThing [REG-2.12]: the thingId moves from `uuid` to `newUuid` with `newPublicKey`. The reply
 * goes to the requester and to `newUuid`'s reply topic.
 */
export function replaceHandler(deps: ReplaceDeps): Handler<ReplaceThingRequest> {
  return async ({ request, envelope }) => {
    const signer = await deps.verifier.verify(request, envelope!);
    const newKey = acceptThingKey(request.newPublicKey, deps.keys);
    const { outcome, thingId } = await deps.store.replaceThing({
      uuid: normalizeUuid(request.uuid),
      newUuid: normalizeUuid(request.newUuid),
      newKey: { publicKeyJson: JSON.stringify(newKey.jwk), thumbprint: newKey.thumbprint },
      jti: request.jti,
      signerThumbprint: signer.signerThumbprint,
      at: deps.clock.now().toISOString(),
    });
    refuseUnlessDone(outcome, request.uuid, request.newUuid);
    return {
      reply: {
        type: 'ReplaceThingResponse',
        oldUuid: request.uuid,
        uuid: request.newUuid,
        thingId,
        publicKey: request.newPublicKey,
        registryPublicKey: deps.registryPublicKeyJson,
        ...echoRequestId(request),
      },
      alsoReplyTo: [request.newUuid],
    };
  };
}
