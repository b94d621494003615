/** Why a node frame was refused, and at which byte (mqtt-packet style, but typed). */
export type CodecErrorCode =
  | 'BODY_LENGTH'
  | 'NODE_TYPE'
  | 'NODE_ARCH'
  | 'KEY_CHECKSUM'
  | 'FRAME_LENGTH'
  | 'ENVELOPE_LENGTH'
  | 'ENVELOPE_PADDING'
  | 'ENVELOPE_CHECK'
  | 'ENVELOPE_AUTH'
  | 'DECRYPT';

export class CodecError extends Error {
  constructor(
    readonly code: CodecErrorCode,
    readonly offset: number,
    message: string,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'CodecError';
  }
}
