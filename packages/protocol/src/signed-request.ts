import { CompactSign, decodeProtectedHeader, type CryptoKey } from 'jose';
import { RegistryError } from './errors.js';
import { THING_KEY_ALGS, type ThingKeyAlg } from './jwk.js';
import { RequestError } from './request-parsing.js';

/** [REG-2.6] Signed requests name an operator with `kid: "operator:<name>"`. */
export const OPERATOR_KID_PREFIX = 'operator:';

/** The unverified parts of a JWS compact request: enough to pick the signer; verification is separate. */
export interface SignedEnvelope {
  token: string;
  alg: string;
  kid: string | undefined;
  /** `operator:<name>` kids name an operator; any other kid (or none) means the Thing itself. */
  operator: string | undefined;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** True when the payload has the shape of a JWS compact serialization (three base64url parts). */
export function looksLikeJws(text: string): boolean {
  return COMPACT_JWS.test(text);
}

/**
 * Splits a JWS compact request into its header facts and its decoded JSON payload, without
 * verifying anything. A token that cannot be decoded is INVALID_REQUEST.
 */
export function decodeSignedRequest(text: string): { envelope: SignedEnvelope; body: unknown } {
  const invalid = (message: string) => new RequestError(new RegistryError('INVALID_REQUEST', message), {});
  if (!looksLikeJws(text)) throw invalid('a signed request must be a JWS compact serialization');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(text);
  } catch {
    throw invalid('the JWS protected header is not valid');
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text.split('.')[1]!, 'base64url').toString('utf8'));
  } catch {
    throw invalid('the JWS payload is not JSON');
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const operator = kid?.startsWith(OPERATOR_KID_PREFIX) ? kid.slice(OPERATOR_KID_PREFIX.length) : undefined;
  return { envelope: { token: text, alg: typeof header.alg === 'string' ? header.alg : '', kid, operator }, body };
}

export function isThingKeyAlg(alg: string): alg is ThingKeyAlg {
  return (THING_KEY_ALGS as readonly string[]).includes(alg);
}

/** Signs a request body as a JWS compact serialization (what a Thing, operator or the CLI sends). */
export async function signRequest(
  body: Record<string, unknown>,
  privateKey: CryptoKey,
  options: { alg?: ThingKeyAlg; kid?: string } = {},
): Promise<string> {
  const header = { alg: options.alg ?? 'RS256', ...(options.kid !== undefined ? { kid: options.kid } : {}) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(body))).setProtectedHeader(header).sign(privateKey);
}

/** Seconds since the epoch, for `iat`. */
export function epochSeconds(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
