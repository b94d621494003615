/**
 * Error codes of the wire contract (docs/PROTOCOL.md section 2, [REG-2.9]).
 * Every Error on the wire carries one of these; nothing else is ever sent as a code.
 */
export const ERROR_CODES = {
  /** The payload is not JSON / not a JWS, fails the schema, or its `type` does not match the topic. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The payload is larger than REGISTRY_MAX_PAYLOAD bytes. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The public key is not an acceptable RSA public JWK (see the JWK rules, [REG-2.2]). */
  INVALID_KEY: 'INVALID_KEY',
  /** A signed request's signature does not verify with the signer's key. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** The UUID is registered with another key. */
  KEY_MISMATCH: 'KEY_MISMATCH',
  /** The Thing (or node, network) named by the request does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** The change would collide with existing state (e.g. `newUuid` already registered). */
  CONFLICT: 'CONFLICT',
  /** A signed request's `iat` is outside the allowed clock skew. */
  EXPIRED: 'EXPIRED',
  /** A signed request's `jti` was already seen. */
  REPLAYED: 'REPLAYED',
  /** The signer may not do this (unknown operator, proof of possession required). */
  FORBIDDEN: 'FORBIDDEN',
  /** Too many requests; retry after `retryAfterMs`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Redis (or another dependency) is unreachable; retry later. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** An unexpected fault in the registry. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export const ERROR_CODE_LIST = Object.values(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** [REG-2.10] Only these codes are worth retrying unchanged. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL']);

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** The one error type of the registry: a wire code, a message safe to send, and the cause for logs. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.retryable = isRetryable(code);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Maps anything thrown to a RegistryError; unknown faults become INTERNAL and keep their cause. */
export function toRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError('INTERNAL', 'internal error', { cause: err });
}
