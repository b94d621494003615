import { normalizeUuid, RegistryError, validateThingKey, type RegisterThingRequest } from '@giotto/protocol';
import type { Clock, ThingStore } from '../ports.js';
import type { Handler } from './handler.js';

export interface RegisterDeps {
  store: ThingStore;
  clock: Clock;
  registryPublicKeyJson: string;
}

/** RegisterThing [REG-2.5]: idempotent per (uuid, key); another key for a known uuid is KEY_MISMATCH. */
export function registerHandler(deps: RegisterDeps): Handler<RegisterThingRequest> {
  return async (request) => {
    const key = await validateThingKey(request.publicKey);
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
        ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
      },
    };
  };
}
