import { randomUUID } from 'node:crypto';
import { epochSeconds, signRequest } from '@giotto/protocol';
import { generateThingKeyPair, type ThingKeyPair } from '@giotto/testkit';
import type { CryptoKey } from 'jose';

/** A Thing as a device holds it: UUID and a WebCrypto key pair. */
export interface KeyedThing {
  uuid: string;
  keys: ThingKeyPair;
}

export async function keyedThing(uuid: string = randomUUID()): Promise<KeyedThing> {
  return { uuid, keys: await generateThingKeyPair() };
}

export function registerBody(thing: KeyedThing, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'RegisterThingRequest', uuid: thing.uuid, publicKey: thing.keys.publicJwk, ...extra };
}

/** Fresh iat and jti for a signed request. */
export function stamp(iatOffsetSeconds = 0): { iat: number; jti: string } {
  return { iat: epochSeconds() + iatOffsetSeconds, jti: randomUUID() };
}

export function sign(body: Record<string, unknown>, key: CryptoKey, kid?: string): Promise<string> {
  return signRequest(body, key, kid === undefined ? {} : { kid });
}

export const deregisterBody = (uuid: string, extra: Record<string, unknown> = {}) => ({ type: 'DeregisterThingRequest', uuid, ...stamp(), ...extra });
export const updateKeyBody = (uuid: string, publicKey: unknown, extra: Record<string, unknown> = {}) => ({ type: 'UpdateKeyRequest', uuid, publicKey, ...stamp(), ...extra });
export const replaceBody = (uuid: string, newUuid: string, newPublicKey: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'ReplaceThingRequest',
  uuid,
  newUuid,
  newPublicKey,
  ...stamp(),
  ...extra,
});
