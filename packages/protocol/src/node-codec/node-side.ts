import type { KeyLike } from 'node:crypto';
import { encodeRequestBody, type NodeRegistrationRequest } from './request-body.js';
import { encryptRequest, type OaepHash } from './rsa-oaep.js';

/**
 * What a node sends on `nodes/register/<token>`: the 88-byte body, RSA-OAEP-encrypted under the
 * registry's node public key (PEM from `registry/node-public-key`). Open the reply with openReply.
 */
export function buildRegistrationFrame(request: NodeRegistrationRequest, registryPublicKey: KeyLike, hash: OaepHash = 'sha256'): Uint8Array {
  return encryptRequest(encodeRequestBody(request), registryPublicKey, hash);
}
