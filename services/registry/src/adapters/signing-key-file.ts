import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from '../ports.js';
import { readSecretFile, writeSecretFile } from './secret-file.js';

export interface SigningKey {
  /** The public half as published on `registry/public-key` and in every reply. */
  publicJwk: JWK;
  /** JSON text of publicJwk, computed once. */
  publicJwkJson: string;
  privateKey: CryptoKey;
}

const ALG = 'RS256';

/**
 * The registry's own signing key: read from `path`, or made on first start and written there with
 * mode 0600. Only the thumbprint is ever logged.
 */
export async function loadOrCreateSigningKey(path: string, logger: Logger): Promise<SigningKey> {
  const text = await readSecretFile(path, 'REGISTRY_SIGNING_KEY_PATH', logger);
  let privateJwk: JWK;
  if (text === undefined) {
    const { privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
    privateJwk = await exportJWK(privateKey);
    await writeSecretFile(path, JSON.stringify(privateJwk));
    logger.info({ path }, 'generated the registry signing key');
  } else {
    try {
      privateJwk = JSON.parse(text) as JWK;
    } catch {
      throw new Error(`REGISTRY_SIGNING_KEY_PATH: ${path} is not JSON`);
    }
  }
  if (privateJwk.kty !== 'RSA' || typeof privateJwk.d !== 'string') {
    throw new Error(`REGISTRY_SIGNING_KEY_PATH: ${path} must hold an RSA private JWK`);
  }
  const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
  const kid = await calculateJwkThumbprint(privateJwk, 'sha256');
  const publicJwk = { kty: 'RSA', n: privateJwk.n, e: privateJwk.e, alg: ALG, use: 'sig', kid } as JWK;
  logger.info({ kid }, 'registry signing key loaded');
  return { publicJwk, publicJwkJson: JSON.stringify(publicJwk), privateKey };
}
