import { z } from 'zod';
import { isUuid } from '../uuid.js';

/** [REG-2.1] Any RFC 9562 UUID, any case. */
export const uuidSchema = z.string().max(36).refine(isUuid, { message: 'must be a UUID' });

/** [REG-1.2] Optional correlation id, echoed in every reply. */
export const requestIdSchema = z.string().min(1).max(64);

/** A public key as JSON text (the seed protocol's form) or as a JWK object; rules in jwk.ts. */
export const publicKeyFieldSchema = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

/** Seconds since the epoch, as JWT `iat` (a NumericDate: fractions allowed). */
export const iatSchema = z.number().finite().nonnegative();

/** A signed request's unique id (replay protection); the sender makes it unique, e.g. a UUID. */
export const jtiSchema = z.string().min(1).max(128);
