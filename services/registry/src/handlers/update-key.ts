import { normalizeUuid, type UpdateKeyRequest } from '@giotto/protocol';
import type { KeyCache } from '../key-cache.js';
import type { Clock, ThingStore } from '../ports.js';
import type { SignatureVerifier } from '../signature-verifier.js';
import { refuseUnlessDone } from './change-outcome.js';
import { echoRequestId, type Handler } from './handler.js';
import { acceptThingKey } from './register.js';

export interface UpdateKeyDeps {
  store: ThingStore;
  clock: Clock;
  keys: KeyCache;
  verifier: SignatureVerifier;
  registryPublicKeyJson: string;
}

/** UpdateKey [REG-2.13]: swaps the stored key; later signed requests must use the new one. */
export function updateKeyHandler(deps: UpdateKeyDeps): Handler<UpdateKeyRequest> {
  return async ({ request, envelope }) => {
    const signer = await deps.verifier.verify(request, envelope!);
    const newKey = acceptThingKey(request.publicKey, deps.keys);
    const { outcome, thingId } = await deps.store.updateKey({
      uuid: normalizeUuid(request.uuid),
      newKey: { publicKeyJson: JSON.stringify(newKey.jwk), thumbprint: newKey.thumbprint },
      jti: request.jti,
      signerThumbprint: signer.signerThumbprint,
      at: deps.clock.now().toISOString(),
    });
    refuseUnlessDone(outcome, request.uuid);
    return {
      reply: {
        type: 'UpdateKeyResponse',
        uuid: request.uuid,
        thingId,
        publicKey: request.publicKey,
        registryPublicKey: deps.registryPublicKeyJson,
        ...echoRequestId(request),
      },
    };
  };
}
