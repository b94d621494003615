import { generateKeyPairSync } from 'node:crypto';
import { webcrypto } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';

export interface ThingKeyPair {
  publicJwk: JWK;
  privateKey: CryptoKey;
}

const HASH_OF = { RS256: 'SHA-256', RS384: 'SHA-384', RS512: 'SHA-512' } as const;

/**
 * A Thing key pair made by WebCrypto, exported as a browser or device would export it (with its
 * `alg`, `key_ops` and `ext` members).
 */
export async function generateThingKeyPair(alg: keyof typeof HASH_OF = 'RS256', modulusLength = 2048): Promise<ThingKeyPair> {
  const { publicKey, privateKey } = await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: HASH_OF[alg] },
    true,
    ['sign', 'verify'],
  );
  return { publicJwk: (await webcrypto.subtle.exportKey('jwk', publicKey)) as JWK, privateKey: privateKey as CryptoKey };
}

/** Key pairs of any RSA size (WebCrypto refuses small ones), as JWKs; for negative tests. */
export function rsaJwkPair(modulusLength: number): { publicJwk: JWK; privateJwk: JWK } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    publicJwk: publicKey.export({ format: 'jwk' }) as JWK,
    privateJwk: privateKey.export({ format: 'jwk' }) as JWK,
  };
}

export function ecJwk(): JWK {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return publicKey.export({ format: 'jwk' }) as JWK;
}
