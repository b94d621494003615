import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Logger } from '../ports.js';
import { readSecretFile, writeSecretFile } from './secret-file.js';

export interface NodeRsaKey {
  privateKey: KeyObject;
  /** The public half (SPKI PEM), retained on `registry/node-public-key`. */
  publicPem: string;
  modulusBits: number;
}

/** [REG-5.1] The node protocol's RSA key (RSA_PKEY_PATH, PEM): read, or made on first start (0600). */
export async function loadOrCreateNodeRsaKey(path: string, logger: Logger): Promise<NodeRsaKey> {
  let pem = await readSecretFile(path, 'RSA_PKEY_PATH', logger);
  if (pem === undefined) {
    pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await writeSecretFile(path, pem);
    logger.info({ path }, 'generated the node protocol RSA key');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`RSA_PKEY_PATH: ${path} is not a PEM private key`);
  }
  const modulusBits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || modulusBits < 2048) {
    throw new Error(`RSA_PKEY_PATH: ${path} must be an RSA key of at least 2048 bits`);
  }
  const publicPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
  return { privateKey, publicPem, modulusBits };
}
