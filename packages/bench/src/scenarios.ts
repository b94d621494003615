import { randomBytes, randomUUID } from 'node:crypto';
import { buildRegistrationFrame, epochSeconds, mintRegistrationKey, signRequest, type ThingKeyAlg } from '@giotto/protocol';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { BenchRequest } from './load-generator.js';

export interface BenchKey {
  publicJwk: JWK;
  privateKey: CryptoKey;
}

export async function makeKeys(count: number, alg: ThingKeyAlg = 'RS256'): Promise<BenchKey[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
      return { publicJwk: { ...(await exportJWK(publicKey)), alg }, privateKey };
    }),
  );
}

/** New Things: a fresh UUID each, keys from a small pre-made pool. */
export function newThingRequests(count: number, keys: BenchKey[], prefix = ''): { requests: BenchRequest[]; uuids: string[] } {
  const uuids = Array.from({ length: count }, () => randomUUID() as string);
  const requests = uuids.map((uuid, i) => ({
    topic: `${prefix}register`,
    payload: JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: keys[i % keys.length]!.publicJwk, requestId: `b${i}` }),
    replyTopic: `${prefix}registry/reply/${uuid}`,
  }));
  return { requests, uuids };
}

/** The same registrations again (the idempotent path), cycling over `uuids`. */
export function repeatRequests(uuids: string[], keys: BenchKey[], count: number): BenchRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const index = i % uuids.length;
    const uuid = uuids[index]!;
    return {
      topic: 'register',
      payload: JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: keys[index % keys.length]!.publicJwk, requestId: `r${i}` }),
      replyTopic: `registry/reply/${uuid}`,
    };
  });
}

/**
 * Signed UpdateKey, pre-signed before the timed run: Thing t alternates between two keys, each
 * message signed by the key it replaces. Request i is Thing i mod T, step i div T, so one Thing's
 * steps are T requests apart (T well above the concurrency keeps them in order).
 */
export async function updateKeyRequests(things: { uuid: string; keys: [BenchKey, BenchKey] }[], steps: number, progress: (n: number) => void): Promise<BenchRequest[]> {
  const requests: BenchRequest[] = [];
  for (let step = 0; step < steps; step++) {
    for (const thing of things) {
      const signer = thing.keys[step % 2]!;
      const next = thing.keys[(step + 1) % 2]!;
      const body = { type: 'UpdateKeyRequest', uuid: thing.uuid, publicKey: next.publicJwk, iat: epochSeconds(), jti: randomUUID(), requestId: `u${requests.length}` };
      requests.push({ topic: 'update-key', payload: await signRequest(body, signer.privateKey), replyTopic: `registry/reply/${thing.uuid}` });
    }
    progress(requests.length);
  }
  return requests;
}

/** Node frames: one fresh one-time key each, all for one network; replies on a token each. */
export function nodeRequests(networkId: string, publicPem: string, count: number): { requests: BenchRequest[]; keys: string[] } {
  const keys: string[] = [];
  const requests = Array.from({ length: count }, () => {
    const phrase = mintRegistrationKey((n) => randomBytes(n));
    keys.push(Buffer.from(phrase).toString('hex'));
    const token = randomBytes(12).toString('base64url');
    const frame = buildRegistrationFrame(
      { nodeId: undefined, networkId, networkPhrase: phrase, nodeKey: randomBytes(32), nodeType: 2, nodeArch: 32 },
      publicPem,
      'sha256',
    );
    return { topic: `nodes/register/${token}`, payload: Buffer.from(frame), replyTopic: `nodes/register/${token}/reply` };
  });
  return { requests, keys };
}
