import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CodecError } from './codec-error.js';

/** [REG-5.6] How a 200 reply wraps the node id: the seed's `ijam` envelope, or `gcm`. */
export type EnvelopeKind = 'ijam' | 'gcm';
export const ENVELOPE_KINDS: readonly EnvelopeKind[] = ['ijam', 'gcm'];

const IJAM_IV_BYTES = 16;
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

/** P = 16 − ((len(data) + 1) mod 16), so data ‖ x ‖ pad fills whole blocks; P is 1..16. */
export function ijamPadLength(dataLength: number): number {
  return 16 - ((dataLength + 1) % 16);
}

/** The seed's Node Encryption Protocol: iv ‖ AES-256-CBC(data ‖ xor(data) ‖ P×P), no cipher padding. */
export function sealIjam(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  if (iv.length !== IJAM_IV_BYTES) throw new CodecError('ENVELOPE_LENGTH', 0, 'ijam iv must be 16 bytes');
  const pad = ijamPadLength(data.length);
  const plain = new Uint8Array(data.length + 1 + pad);
  plain.set(data);
  plain[data.length] = data.reduce((x, b) => x ^ b, 0);
  plain.fill(pad, data.length + 1);
  const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return concat(iv, cipher.update(plain), cipher.final());
}

export function openIjam(envelope: Uint8Array, key: Uint8Array): Uint8Array {
  const body = envelope.length - IJAM_IV_BYTES;
  if (body < 16 || body % 16 !== 0) throw new CodecError('ENVELOPE_LENGTH', 0, `ijam envelope of ${envelope.length} bytes`);
  const decipher = createDecipheriv('aes-256-cbc', key, envelope.subarray(0, IJAM_IV_BYTES)).setAutoPadding(false);
  const plain = concat(decipher.update(envelope.subarray(IJAM_IV_BYTES)), decipher.final());
  const pad = plain[plain.length - 1]!;
  const dataLength = plain.length - pad - 1;
  if (pad < 1 || pad > 16 || dataLength < 0 || !plain.subarray(dataLength + 1).every((b) => b === pad)) {
    throw new CodecError('ENVELOPE_PADDING', IJAM_IV_BYTES, 'ijam padding is not valid (wrong key?)');
  }
  const data = plain.subarray(0, dataLength);
  if (data.reduce((x, b) => x ^ b, 0) !== plain[dataLength]) {
    throw new CodecError('ENVELOPE_CHECK', IJAM_IV_BYTES + dataLength, 'ijam check byte does not match (wrong key?)');
  }
  return Uint8Array.from(data);
}

/** iv(12) ‖ AES-256-GCM ciphertext ‖ tag(16), with the reply token as additional data. */
export function sealGcm(data: Uint8Array, key: Uint8Array, iv: Uint8Array, token: string): Uint8Array {
  if (iv.length !== GCM_IV_BYTES) throw new CodecError('ENVELOPE_LENGTH', 0, 'gcm iv must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(token, 'ascii'));
  const body = concat(cipher.update(data), cipher.final());
  return concat(iv, body, cipher.getAuthTag());
}

export function openGcm(envelope: Uint8Array, key: Uint8Array, token: string): Uint8Array {
  if (envelope.length < GCM_IV_BYTES + GCM_TAG_BYTES) throw new CodecError('ENVELOPE_LENGTH', 0, `gcm envelope of ${envelope.length} bytes`);
  const tagAt = envelope.length - GCM_TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.subarray(0, GCM_IV_BYTES));
  decipher.setAAD(Buffer.from(token, 'ascii'));
  decipher.setAuthTag(envelope.subarray(tagAt));
  try {
    return concat(decipher.update(envelope.subarray(GCM_IV_BYTES, tagAt)), decipher.final());
  } catch {
    throw new CodecError('ENVELOPE_AUTH', tagAt, 'gcm tag does not verify (wrong key or token?)');
  }
}

export function ivLength(kind: EnvelopeKind): number {
  return kind === 'ijam' ? IJAM_IV_BYTES : GCM_IV_BYTES;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}
