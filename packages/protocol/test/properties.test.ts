import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CodecError,
  decodeRequest,
  decodeRequestBody,
  encodeRequestBody,
  isValidRegistrationKey,
  keyChecksum,
  NODE_ARCHS,
  NODE_TYPES,
  openGcm,
  openIjam,
  openReply,
  RegistryError,
  REQUEST_TOPICS,
  sealGcm,
  sealIjam,
  validateThingKey,
  type RequestTopic,
} from '../src/index.js';

const kinds = Object.keys(REQUEST_TOPICS) as RequestTopic[];
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const uuid = fc.uuid();
const request = fc.record({
  nodeId: fc.option(uuid, { nil: undefined }),
  networkId: uuid,
  networkPhrase: bytes(16, 16),
  nodeKey: bytes(32, 32),
  nodeType: fc.constantFrom(...Object.values(NODE_TYPES)),
  nodeArch: fc.constantFrom(...Object.values(NODE_ARCHS)),
});

/** Anything decoding may throw must be one of the two typed errors, never a TypeError or worse. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err instanceof CodecError || err instanceof RegistryError).toBe(true);
  }
}

describe('codec properties (fast-check)', () => {
  it('request body: decode(encode(r)) = r, always 88 bytes', () => {
    fc.assert(
      fc.property(request, (r) => {
        const body = encodeRequestBody(r);
        expect(body.length).toBe(88);
        expect(decodeRequestBody(body)).toEqual({ ...r, nodeId: r.nodeId === '00000000-0000-0000-0000-000000000000' ? undefined : r.nodeId });
      }),
      { numRuns: 500 },
    );
  });

  it('request body: any bytes decode or fail with a CodecError', () => {
    fc.assert(fc.property(bytes(0, 200), (b) => onlyTypedErrors(() => decodeRequestBody(b))), { numRuns: 2000 });
    fc.assert(fc.property(bytes(88, 88), (b) => onlyTypedErrors(() => decodeRequestBody(b))), { numRuns: 2000 });
  });

  it('key checksum: valid exactly when the byte sum mod 256 is in 14..100', () => {
    fc.assert(
      fc.property(bytes(16, 16), (k) => {
        const sum = k.reduce((a, b) => a + b, 0) % 256;
        expect(keyChecksum(k)).toBe(sum);
        expect(isValidRegistrationKey(k)).toBe(sum >= 14 && sum <= 100);
      }),
      { numRuns: 2000 },
    );
  });

  it('envelopes: open(seal(d)) = d for both kinds; tampered envelopes fail typed', () => {
    fc.assert(
      fc.property(bytes(0, 64), bytes(32, 32), bytes(16, 16), fc.string({ minLength: 8, maxLength: 64 }), fc.nat(), (data, key, iv, token, flip) => {
        expect(openIjam(sealIjam(data, key, iv), key)).toEqual(data);
        const gcm = sealGcm(data, key, iv.subarray(0, 12), token);
        expect(openGcm(gcm, key, token)).toEqual(data);
        const tampered = Uint8Array.from(gcm);
        tampered[flip % tampered.length]! ^= 1;
        expect(() => openGcm(tampered, key, token)).toThrow(CodecError);
      }),
      { numRuns: 300 },
    );
  });

  it('reply frames: any bytes open or fail with a CodecError', () => {
    fc.assert(
      fc.property(bytes(0, 80), bytes(32, 32), fc.constantFrom('ijam' as const, 'gcm' as const), (frame, key, envelope) =>
        onlyTypedErrors(() => openReply(frame, key, { envelope, token: 'token-123' })),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('request parsing properties (fast-check)', () => {
  it('any payload on any topic decodes or fails with a RegistryError (never anything else)', () => {
    const payload = fc.oneof(
      bytes(0, 300),
      fc.json().map((j) => Buffer.from(j)),
      fc.anything().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map(([a, b, c]) => Buffer.from(`${a}.${b}.${c}`.replace(/[+/=]/g, '_'))),
    );
    fc.assert(fc.property(fc.constantFrom(...kinds), payload, (kind, p) => onlyTypedErrors(() => decodeRequest(kind, p, 16_384))), { numRuns: 5000 });
  });

  it('__proto__ and constructor members never pollute, whatever the nesting', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.json(), (kind, j) => {
        const text = `{"type":"RegisterThingRequest","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"x":${j}}`;
        onlyTypedErrors(() => decodeRequest(kind, Buffer.from(text), 16_384));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('JWK validation: any object is accepted as a valid key or refused with INVALID_KEY', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.record({ kty: fc.constant('RSA'), n: fc.base64String(), e: fc.string() }, { requiredKeys: [] })), async (value) => {
        await validateThingKey(value).then(
          () => undefined,
          (err: unknown) => expect(err).toMatchObject({ code: 'INVALID_KEY' }),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
