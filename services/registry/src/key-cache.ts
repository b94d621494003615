import type { KeyObject } from 'node:crypto';
import { importThingKey, type ThingPublicJwk } from '@giotto/protocol';

/**
 * Imported verification keys by thumbprint: the same few keys sign again and again, and a
 * repeated registration need not import its key twice. Bounded; the oldest entry goes first.
 */
export class KeyCache {
  private readonly keys = new Map<string, KeyObject>();

  constructor(private readonly capacity = 10_000) {}

  get(jwk: ThingPublicJwk, thumbprint: string): KeyObject {
    let key = this.keys.get(thumbprint);
    if (!key) {
      key = importThingKey(jwk);
      if (this.keys.size >= this.capacity) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(thumbprint, key);
    }
    return key;
  }
}
