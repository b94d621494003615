import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface ThingKeyPair {
  publicJwk: JWK;
  privateKey: CryptoKey;
}

/** A Thing key pair made by WebCrypto (through jose), as a device or browser would make one. */
export async function generateThingKeyPair(alg: 'RS256' | 'RS384' | 'RS512' = 'RS256', modulusLength = 2048): Promise<ThingKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { modulusLength, extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateKey };
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
