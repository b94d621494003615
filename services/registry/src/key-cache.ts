import { importThingKey, type ThingKeyAlg, type ThingPublicJwk } from '@giotto/protocol';
import type { CryptoKey } from 'jose';

/**
 * Imported verification keys by thumbprint and algorithm: importing a JWK is the costly part of a
 * verification, and the same few keys sign again and again. Bounded; the oldest entry goes first.
 */
export class KeyCache {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly capacity = 10_000) {}

  get(jwk: ThingPublicJwk, thumbprint: string, alg: ThingKeyAlg): Promise<CryptoKey> {
    const id = `${thumbprint}:${alg}`;
    let key = this.keys.get(id);
    if (!key) {
      key = importThingKey(jwk, alg);
      key.catch(() => this.keys.delete(id));
      if (this.keys.size >= this.capacity) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(id, key);
    }
    return key;
  }
}
