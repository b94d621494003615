import { parse as uuidParse, stringify as uuidStringify } from 'uuid';
import { CodecError } from './codec-error.js';
import { openGcm, openIjam, sealGcm, sealIjam, type EnvelopeKind } from './envelopes.js';

/** [REG-5.5] Reply statuses, as the seed's HTTP-like codes. */
export const NODE_STATUS = { ok: 200, badRequest: 400, forbidden: 403, notFound: 404, internal: 500, unavailable: 503 } as const;
export type NodeStatus = (typeof NODE_STATUS)[keyof typeof NODE_STATUS];

/** [REG-5.5] status ‖ a short UTF-8 message, unencrypted. */
export function encodeErrorReply(status: NodeStatus, message: string): Uint8Array {
  const text = Buffer.from(message, 'utf8');
  const frame = Buffer.alloc(2 + text.length);
  frame.writeUInt16LE(status, 0);
  text.copy(frame, 2);
  return Uint8Array.from(frame);
}

/** [REG-5.6] 200 ‖ envelope(nodeId bytes). `iv` is fresh random bytes from the caller. */
export function encodeOkReply(nodeId: string, nodeKey: Uint8Array, options: { envelope: EnvelopeKind; iv: Uint8Array; token: string }): Uint8Array {
  const id = uuidParse(nodeId);
  const envelope = options.envelope === 'ijam' ? sealIjam(id, nodeKey, options.iv) : sealGcm(id, nodeKey, options.iv, options.token);
  const frame = new Uint8Array(2 + envelope.length);
  new DataView(frame.buffer).setUint16(0, NODE_STATUS.ok, true);
  frame.set(envelope, 2);
  return frame;
}

export type NodeReply = { status: 200; nodeId: string } | { status: number; message: string };

/** The node's side: reads a reply frame, opening the envelope of a 200 with its own key. */
export function openReply(frame: Uint8Array, nodeKey: Uint8Array, options: { envelope: EnvelopeKind; token: string }): NodeReply {
  if (frame.length < 2) throw new CodecError('FRAME_LENGTH', frame.length, 'a reply frame has at least 2 bytes');
  const status = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint16(0, true);
  const rest = frame.subarray(2);
  if (status !== NODE_STATUS.ok) return { status, message: Buffer.from(rest).toString('utf8') };
  const id = options.envelope === 'ijam' ? openIjam(rest, nodeKey) : openGcm(rest, nodeKey, options.token);
  if (id.length !== 16) throw new CodecError('ENVELOPE_LENGTH', 2, `the envelope holds ${id.length} bytes; a node id is 16`);
  return { status: 200, nodeId: uuidStringify(id) };
}
