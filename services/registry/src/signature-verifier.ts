import {
  checkThingJwk,
  isThingKeyAlg,
  normalizeUuid,
  RegistryError,
  thumbprintOf,
  type SignedEnvelope,
  type ThingPublicJwk,
} from '@giotto/protocol';
import { compactVerify } from 'jose';
import type { KeyCache } from './key-cache.js';
import type { Clock, OperatorKeys, ThingStore } from './ports.js';

/** [REG-2.8] `iat` must be within this many seconds of the registry's clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export interface Signer {
  /** Thumbprint of the Thing key that signed; '' when an operator signed. */
  signerThumbprint: string;
  operator: string | undefined;
}

export interface SignatureVerifierDeps {
  store: ThingStore;
  operators: OperatorKeys;
  keys: KeyCache;
  clock: Clock;
}

/**
 * The signer → signature → iat steps of [REG-2.8] for signed requests. The jti and state steps
 * happen atomically in the store's script, after these.
 */
export class SignatureVerifier {
  constructor(private readonly deps: SignatureVerifierDeps) {}

  /** Finds the signer (the Thing's current key, or an operator's), verifies, checks iat. */
  async verify(request: { uuid: string; iat: number }, envelope: SignedEnvelope): Promise<Signer> {
    let jwk: ThingPublicJwk;
    let thumbprint: string;
    if (envelope.operator !== undefined) {
      const operatorKey = await this.deps.operators.find(envelope.kid!);
      if (!operatorKey) throw new RegistryError('FORBIDDEN', `unknown operator "${envelope.operator}"`);
      jwk = checkThingJwk(operatorKey);
      thumbprint = thumbprintOf(jwk);
    } else {
      const thing = await this.deps.store.findThing(normalizeUuid(request.uuid));
      if (!thing) throw new RegistryError('NOT_FOUND', `${request.uuid} is not registered`);
      jwk = JSON.parse(thing.publicKeyJson) as ThingPublicJwk;
      thumbprint = thing.thumbprint;
    }
    await this.verifySignature(envelope, jwk, thumbprint);
    this.checkIat(request.iat);
    return { signerThumbprint: envelope.operator !== undefined ? '' : thumbprint, operator: envelope.operator };
  }

  /** Verifies the JWS with this key; only RS256/384/512, and the key's own alg when it names one. */
  async verifySignature(envelope: SignedEnvelope, jwk: ThingPublicJwk, thumbprint: string): Promise<void> {
    const refused = (cause?: unknown) => new RegistryError('INVALID_SIGNATURE', 'the signature does not verify with the signer\'s key', { cause });
    // alg "none", HS256 keyed with the public key and the like never reach jose.
    if (!isThingKeyAlg(envelope.alg) || (jwk.alg !== undefined && jwk.alg !== envelope.alg)) throw refused();
    const key = this.deps.keys.get(jwk, thumbprint);
    try {
      // jose refuses unknown `crit` members, so a header that asks for more than we check fails here.
      await compactVerify(envelope.token, key, { algorithms: [envelope.alg] });
    } catch (err) {
      throw refused(err);
    }
  }

  checkIat(iat: number): void {
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    if (Math.abs(now - iat) > MAX_CLOCK_SKEW_SECONDS) {
      throw new RegistryError('EXPIRED', `iat is ${now - iat} s from the registry's clock; at most ±${MAX_CLOCK_SKEW_SECONDS} s allowed`);
    }
  }
}
