import { normalizeUuid, type DeregisterThingRequest } from '@giotto/protocol';
import type { Clock, ThingStore } from '../ports.js';
import type { SignatureVerifier } from '../signature-verifier.js';
import { refuseUnlessDone } from './change-outcome.js';
import { echoRequestId, type Handler } from './handler.js';

export interface DeregisterDeps {
  store: ThingStore;
  clock: Clock;
  verifier: SignatureVerifier;
}

/** DeregisterThing [REG-2.11]: frees the UUID, retires the thingId for good. */
export function deregisterHandler(deps: DeregisterDeps): Handler<DeregisterThingRequest> {
  return async ({ request, envelope }) => {
    const signer = await deps.verifier.verify(request, envelope!);
    const { outcome, thingId } = await deps.store.deregisterThing({
      uuid: normalizeUuid(request.uuid),
      jti: request.jti,
      signerThumbprint: signer.signerThumbprint,
      at: deps.clock.now().toISOString(),
    });
    refuseUnlessDone(outcome, request.uuid);
    return { reply: { type: 'DeregisterThingResponse', uuid: request.uuid, thingId, ...echoRequestId(request) } };
  };
}
