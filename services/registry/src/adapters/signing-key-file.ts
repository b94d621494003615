import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from '../ports.js';

export interface SigningKey {
  /** The public half as published on `registry/public-key` and in every reply. */
  publicJwk: JWK;
  /** JSON text of publicJwk, computed once. */
  publicJwkJson: string;
  privateKey: CryptoKey;
}

const ALG = 'RS256';

function publicPart(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: ALG, use: 'sig', kid } as JWK;
}

/**
 * The registry's own signing key: read from `path`, or made on first start and written there with
 * mode 0600. Only the thumbprint is ever logged.
 */
export async function loadOrCreateSigningKey(path: string, logger: Logger): Promise<SigningKey> {
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      logger.warn({ path, mode: mode.toString(8) }, 'the registry signing key file is readable by others; chmod 600 it');
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`REGISTRY_SIGNING_KEY_PATH: cannot read the key at ${path}: ${(err as Error).message}`);
    }
    const { privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
    privateJwk = await exportJWK(privateKey);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx': if two instances start at once, the second fails here instead of overwriting.
    await writeFile(path, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    logger.info({ path }, 'generated the registry signing key');
  }
  if (privateJwk.kty !== 'RSA' || typeof privateJwk.d !== 'string') {
    throw new Error(`REGISTRY_SIGNING_KEY_PATH: ${path} must hold an RSA private JWK`);
  }
  const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
  const kid = await calculateJwkThumbprint(privateJwk, 'sha256');
  const publicJwk = publicPart(privateJwk, kid);
  logger.info({ kid }, 'registry signing key loaded');
  return { publicJwk, publicJwkJson: JSON.stringify(publicJwk), privateKey };
}
