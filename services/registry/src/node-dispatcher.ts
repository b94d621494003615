import { randomBytes, type KeyObject } from 'node:crypto';
import {
  checkRegistrationKey,
  CodecError,
  decodeRequestBody,
  decryptRequest,
  encodeErrorReply,
  encodeOkReply,
  isNodeToken,
  ivLength,
  NODE_STATUS,
  toRegistryError,
  type EnvelopeKind,
  type NodeRegistrationRequest,
  type OaepHash,
  type Topics,
} from '@giotto/protocol';
import type { Metrics } from './http/metrics.js';
import type { CpuQueue } from './cpu-queue.js';
import type { InFlight } from './in-flight.js';
import type { TokenBucket } from './rate-limiter.js';
import type { Bus, InboundMessage, Logger, NodeRegistrationOutcome } from './ports.js';

export interface NodeDispatcherDeps {
  topics: Topics;
  bus: Bus;
  handler: (request: NodeRegistrationRequest) => Promise<NodeRegistrationOutcome>;
  privateKey: KeyObject;
  oaepHash: OaepHash;
  envelope: EnvelopeKind;
  /** A frame longer than this is refused before any RSA work. */
  maxFrameBytes: number;
  logger: Logger;
  inFlight: InFlight;
  metrics: Metrics;
  /** Where RSA decryption runs, bounded [REG-5.8]. */
  cpu: CpuQueue;
  /** Node frames per second for the instance. */
  rate: TokenBucket;
}

/** Thrown when the node path is at its limit: answered 503, the node retries later. */
class Busy extends Error {}
const BUSY_MESSAGE = 'registry busy; retry later';

/** [REG-5.5] Every decrypt or parse failure gets this same reply: the replies are no padding oracle. */
export const BAD_FRAME_MESSAGE = 'invalid registration request';
const MESSAGES: Record<number, string> = {
  [NODE_STATUS.forbidden]: 'node revoked',
  [NODE_STATUS.notFound]: 'unknown network or registration key',
  [NODE_STATUS.unavailable]: 'registry unavailable; retry later',
  [NODE_STATUS.internal]: 'internal error',
};

/**
 * The binary path: token → size → RSA-OAEP decrypt → 88-byte body → key checksum → the handler
 * → one reply frame on `nodes/register/<token>/reply`. Nothing about the node key reaches a log.
 */
export class NodeDispatcher {
  private sequence = 0;
  /** Frames dropped for a bad token (nowhere to answer). */
  droppedTokens = 0;

  constructor(private readonly deps: NodeDispatcherDeps) {}

  handle(message: InboundMessage): void {
    const token = this.deps.topics.nodeTokenOf(message.topic);
    if (token === undefined || !isNodeToken(token)) {
      this.droppedTokens++;
      this.deps.metrics.nodeFrameDropped();
      this.deps.logger.debug({ dropped: this.droppedTokens }, 'node frame with a bad token dropped');
      return;
    }
    this.deps.inFlight.run(() => this.process(token, message.payload));
  }

  private async process(token: string, frame: Buffer): Promise<void> {
    const { deps } = this;
    const started = performance.now();
    const log = deps.logger.child({ req: `n${++this.sequence}` });
    let reply: Uint8Array;
    try {
      const request = await this.decode(frame);
      const outcome = await deps.handler(request);
      if (outcome.status === 200) {
        reply = encodeOkReply(outcome.nodeId, request.nodeKey, { envelope: deps.envelope, iv: randomBytes(ivLength(deps.envelope)), token });
        log.info({ nodeId: outcome.nodeId, networkId: request.networkId, created: outcome.created }, 'node registered');
      } else {
        reply = encodeErrorReply(outcome.status, MESSAGES[outcome.status]!);
        log.info({ status: outcome.status, networkId: request.networkId }, 'node registration refused');
      }
    } catch (err) {
      if (err instanceof Busy) {
        log.info('node frame refused: busy');
        reply = encodeErrorReply(NODE_STATUS.unavailable, BUSY_MESSAGE);
      } else if (err instanceof CodecError) {
        log.info({ code: err.code }, 'node frame refused');
        reply = encodeErrorReply(NODE_STATUS.badRequest, BAD_FRAME_MESSAGE);
      } else {
        const error = toRegistryError(err);
        const status = error.code === 'UNAVAILABLE' ? NODE_STATUS.unavailable : NODE_STATUS.internal;
        if (status === NODE_STATUS.internal) log.error({ err: error.cause ?? err }, 'node registration failed');
        reply = encodeErrorReply(status, MESSAGES[status]!);
      }
    }
    // Not awaited, as in Dispatcher.reply.
    deps.bus.publish({ topic: deps.topics.nodeReply(token), payload: Buffer.from(reply), qos: 1 })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'node reply could not be published'));
    const status = Buffer.from(reply.subarray(0, 2)).readUInt16LE(0);
    deps.metrics.observeRequest('node-register', String(status), (performance.now() - started) / 1000);
  }

  /** Everything before Redis: size, rate, decrypt (bounded), parse, key checksum ([REG-5.4]). */
  private async decode(frame: Buffer): Promise<NodeRegistrationRequest> {
    const { deps } = this;
    if (frame.length > deps.maxFrameBytes) throw new CodecError('FRAME_LENGTH', deps.maxFrameBytes, 'frame too large');
    if (deps.rate.take(Date.now()) > 0) throw new Busy();
    const body = deps.cpu.run(() => decryptRequest(frame, deps.privateKey, deps.oaepHash));
    if (!body) throw new Busy();
    const request = decodeRequestBody(await body);
    checkRegistrationKey(request.networkPhrase);
    return request;
  }
}
