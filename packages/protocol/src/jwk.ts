import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { RegistryError } from './errors.js';

/** The RSASSA-PKCS1-v1_5 algorithms a Thing key may name ([REG-2.2]). */
export const THING_KEY_ALGS = ['RS256', 'RS384', 'RS512'] as const;
export type ThingKeyAlg = (typeof THING_KEY_ALGS)[number];

export const MIN_MODULUS_BITS = 2048;
/** Upper bound so a hostile key cannot make every verification expensive. */
export const MAX_MODULUS_BITS = 8192;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The public RSA JWK the registry stores: the members that define the key, plus the benign labels. */
export interface ThingPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  alg?: ThingKeyAlg;
  use?: 'sig';
  kid?: string;
}

export interface ValidatedThingKey {
  jwk: ThingPublicJwk;
  /** RFC 7638 SHA-256 thumbprint (base64url): two keys are the same key when these are equal. */
  thumbprint: string;
  key: KeyObject;
}

function invalidKey(message: string): RegistryError {
  return new RegistryError('INVALID_KEY', message);
}

function decodeBase64Url(value: unknown, member: string): Buffer {
  // jose accepts loose base64 in `n`; a key must be canonical base64url to have one thumbprint.
  if (typeof value !== 'string' || !BASE64URL.test(value) || value.length % 4 === 1) {
    throw invalidKey(`"${member}" must be base64url without padding`);
  }
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) throw invalidKey(`"${member}" is not canonical base64url`);
  return bytes;
}

function bitLength(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/**
 * The pure rules of [REG-2.2], without crypto: accepts the key as JSON text or as an object and
 * returns the cleaned public JWK, or throws INVALID_KEY naming the rule that failed.
 */
export function checkThingJwk(input: unknown): ThingPublicJwk {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalidKey('publicKey is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidKey('publicKey must be a JWK object');
  }
  const jwk = value as Record<string, unknown>;
  if (jwk.kty !== 'RSA') throw invalidKey('publicKey must be an RSA key (kty "RSA")');
  for (const member of PRIVATE_MEMBERS) {
    if (Object.hasOwn(jwk, member)) throw invalidKey('publicKey contains private key material; send the public key only');
  }
  const n = decodeBase64Url(jwk.n, 'n');
  const e = decodeBase64Url(jwk.e, 'e');
  // RFC 7518 6.3.1.1: minimum octets, so one key has one encoding (and one thumbprint).
  if (n[0] === 0) throw invalidKey('"n" has a leading zero octet');
  const bits = bitLength(n);
  if (bits < MIN_MODULUS_BITS) throw invalidKey(`RSA modulus is ${bits} bits; at least ${MIN_MODULUS_BITS} required`);
  if (bits > MAX_MODULUS_BITS) throw invalidKey(`RSA modulus is ${bits} bits; at most ${MAX_MODULUS_BITS} allowed`);
  if (e.length > 8 || bitLength(e) < 2 || (e[e.length - 1]! & 1) === 0) throw invalidKey('RSA exponent "e" is not valid');

  const out: ThingPublicJwk = { kty: 'RSA', n: jwk.n as string, e: jwk.e as string };
  if (jwk.use !== undefined) {
    if (jwk.use !== 'sig') throw invalidKey('"use" must be "sig"');
    out.use = 'sig';
  }
  if (jwk.alg !== undefined) {
    if (!THING_KEY_ALGS.includes(jwk.alg as ThingKeyAlg)) throw invalidKey('"alg" must be RS256, RS384 or RS512');
    out.alg = jwk.alg as ThingKeyAlg;
  }
  // WebCrypto exports carry key_ops and ext; they are checked, then dropped (they never reach WebCrypto).
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.every((op) => op === 'verify')) {
      throw invalidKey('"key_ops" may only contain "verify"');
    }
  }
  if (jwk.ext !== undefined && typeof jwk.ext !== 'boolean') throw invalidKey('"ext" must be a boolean');
  if (jwk.kid !== undefined) {
    if (typeof jwk.kid !== 'string' || jwk.kid.length > 256) throw invalidKey('"kid" must be a string of at most 256 characters');
    out.kid = jwk.kid;
  }
  return out;
}

/**
 * RFC 7638 thumbprint of a public RSA key: SHA-256 over the required members in lexical order,
 * base64url. (jose's calculateJwkThumbprint gives the same, through async WebCrypto at ~25× the
 * cost; this runs on every registration. The unit tests compare the two.)
 */
export function thumbprintOf(jwk: Pick<ThingPublicJwk, 'n' | 'e'>): string {
  return createHash('sha256').update(`{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`).digest('base64url');
}

/**
 * Imports a cleaned key as a KeyObject, which jose verifies JWS with. (node:crypto's JWK import
 * is synchronous and ~6× cheaper than WebCrypto's; no alg is needed, so a key without one imports.)
 */
export function importThingKey(jwk: ThingPublicJwk): KeyObject {
  try {
    return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  } catch (cause) {
    throw new RegistryError('INVALID_KEY', 'publicKey cannot be imported as an RSA public key', { cause });
  }
}

/** [REG-2.2] The whole check: the rules, an import, and the thumbprint. */
export async function validateThingKey(input: unknown): Promise<ValidatedThingKey> {
  const jwk = checkThingJwk(input);
  return { jwk, thumbprint: thumbprintOf(jwk), key: importThingKey(jwk) };
}
