import { constants, privateDecrypt, publicEncrypt, type KeyLike } from 'node:crypto';
import { CodecError } from './codec-error.js';

/** [REG-5.1] OAEP hash (MGF1 uses the same): SHA-256 by default, SHA-1 for seed firmware. */
export type OaepHash = 'sha256' | 'sha1';

/** The node's side: one RSA-OAEP block over the 88-byte body (never PKCS#1 v1.5). */
export function encryptRequest(body: Uint8Array, publicKey: KeyLike, hash: OaepHash): Uint8Array {
  return Uint8Array.from(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, body));
}

/** The registry's side. Any failure is one CodecError, whatever OpenSSL said (no padding oracle). */
export function decryptRequest(block: Uint8Array, privateKey: KeyLike, hash: OaepHash): Uint8Array {
  try {
    return Uint8Array.from(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, block));
  } catch {
    throw new CodecError('DECRYPT', 0, 'the request does not decrypt');
  }
}
