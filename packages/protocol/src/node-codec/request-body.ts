import { parse as uuidParse, stringify as uuidStringify } from 'uuid';
import { CodecError } from './codec-error.js';
import { isNodeArchCode, isNodeTypeCode } from './node-codes.js';
import { REGISTRATION_KEY_BYTES } from './registration-key.js';

/** [REG-5.2] The decrypted request body: exactly 88 bytes at fixed offsets. */
export const REQUEST_BODY_BYTES = 88;
export const REQUEST_BODY_OFFSETS = { nodeId: 0, networkId: 16, networkPhrase: 32, nodeKey: 48, nodeType: 80, nodeArch: 84 } as const;
export const NODE_KEY_BYTES = 32;

export interface NodeRegistrationRequest {
  /** undefined when the 16 bytes are all zero: the server generates an id. */
  nodeId: string | undefined;
  networkId: string;
  /** The one-time registration key, 16 raw bytes. */
  networkPhrase: Uint8Array;
  /** AES-256 key for all later traffic with the node. */
  nodeKey: Uint8Array;
  nodeType: number;
  nodeArch: number;
}

const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

export function decodeRequestBody(body: Uint8Array): NodeRegistrationRequest {
  if (body.length !== REQUEST_BODY_BYTES) {
    throw new CodecError('BODY_LENGTH', Math.min(body.length, REQUEST_BODY_BYTES), `body is ${body.length} bytes; ${REQUEST_BODY_BYTES} expected`);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const nodeType = view.getUint32(REQUEST_BODY_OFFSETS.nodeType, true);
  const nodeArch = view.getUint32(REQUEST_BODY_OFFSETS.nodeArch, true);
  if (!isNodeTypeCode(nodeType)) throw new CodecError('NODE_TYPE', REQUEST_BODY_OFFSETS.nodeType, `unknown nodeType ${nodeType}`);
  if (!isNodeArchCode(nodeArch)) throw new CodecError('NODE_ARCH', REQUEST_BODY_OFFSETS.nodeArch, `unknown nodeArch ${nodeArch}`);
  const nodeId = body.slice(REQUEST_BODY_OFFSETS.nodeId, REQUEST_BODY_OFFSETS.nodeId + 16);
  return {
    nodeId: isZero(nodeId) ? undefined : uuidStringify(nodeId),
    networkId: uuidStringify(body.slice(REQUEST_BODY_OFFSETS.networkId, REQUEST_BODY_OFFSETS.networkId + 16)),
    networkPhrase: Uint8Array.from(body.subarray(REQUEST_BODY_OFFSETS.networkPhrase, REQUEST_BODY_OFFSETS.networkPhrase + REGISTRATION_KEY_BYTES)),
    nodeKey: Uint8Array.from(body.subarray(REQUEST_BODY_OFFSETS.nodeKey, REQUEST_BODY_OFFSETS.nodeKey + NODE_KEY_BYTES)),
    nodeType,
    nodeArch,
  };
}

export function encodeRequestBody(request: NodeRegistrationRequest): Uint8Array {
  if (request.networkPhrase.length !== REGISTRATION_KEY_BYTES) throw new CodecError('BODY_LENGTH', REQUEST_BODY_OFFSETS.networkPhrase, 'networkPhrase must be 16 bytes');
  if (request.nodeKey.length !== NODE_KEY_BYTES) throw new CodecError('BODY_LENGTH', REQUEST_BODY_OFFSETS.nodeKey, 'nodeKey must be 32 bytes');
  if (!isNodeTypeCode(request.nodeType)) throw new CodecError('NODE_TYPE', REQUEST_BODY_OFFSETS.nodeType, `unknown nodeType ${request.nodeType}`);
  if (!isNodeArchCode(request.nodeArch)) throw new CodecError('NODE_ARCH', REQUEST_BODY_OFFSETS.nodeArch, `unknown nodeArch ${request.nodeArch}`);
  const body = new Uint8Array(REQUEST_BODY_BYTES);
  if (request.nodeId !== undefined) body.set(uuidParse(request.nodeId), REQUEST_BODY_OFFSETS.nodeId);
  body.set(uuidParse(request.networkId), REQUEST_BODY_OFFSETS.networkId);
  body.set(request.networkPhrase, REQUEST_BODY_OFFSETS.networkPhrase);
  body.set(request.nodeKey, REQUEST_BODY_OFFSETS.nodeKey);
  const view = new DataView(body.buffer);
  view.setUint32(REQUEST_BODY_OFFSETS.nodeType, request.nodeType, true);
  view.setUint32(REQUEST_BODY_OFFSETS.nodeArch, request.nodeArch, true);
  return body;
}
