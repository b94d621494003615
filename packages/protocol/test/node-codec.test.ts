import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { thrown } from './thrown.js';
import {
  CodecError,
  decodeRequestBody,
  decryptRequest,
  encodeErrorReply,
  encodeOkReply,
  encodeRequestBody,
  encryptRequest,
  ijamPadLength,
  isValidRegistrationKey,
  keyChecksum,
  mintRegistrationKey,
  NODE_ARCHS,
  NODE_TYPES,
  openGcm,
  openIjam,
  openReply,
  REQUEST_BODY_BYTES,
  sealIjam,
  type NodeRegistrationRequest,
} from '../src/index.js';

// Known-answer vectors, computed independently (Python `cryptography`, struct) from the byte
// table in docs/PROTOCOL.md section 5, and committed here.
const KAT = {
  nodeId: '6f1c1a7e-2b3d-4c5e-8f90-a1b2c3d4e5f6',
  networkId: '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a',
  phrase: Uint8Array.from([...Array(15).fill(0), 50]),
  nodeKey: Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i),
  body:
    '6f1c1a7e2b3d4c5e8f90a1b2c3d4e5f6' + // [0,16) nodeId
    '0d9e8f7a6b5c4d3e9f2a1b0c9d8e7f6a' + // [16,32) networkId
    '00000000000000000000000000000032' + // [32,48) networkPhrase
    '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f' + // [48,80) nodeKey
    '02000000' + // [80,84) nodeType device, uint32 LE
    '04000000', // [84,88) nodeArch rpi_linux, uint32 LE
  ijamIv: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i),
  ijamReply: 'c800' + 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' + '398bbd714550e72a774d895168f3846970027da27632da49951cf82a6b8a0fa6',
  gcmIv: Uint8Array.from({ length: 12 }, (_, i) => 0xc0 + i),
  gcmToken: 'token-1234',
  gcmReply: 'c800' + 'c0c1c2c3c4c5c6c7c8c9cacb' + '058f238fa85207b5f5b5ff09ea0926fa' + 'd118dc66959eb440bcf0794edd157fbd',
};

const request: NodeRegistrationRequest = {
  nodeId: KAT.nodeId,
  networkId: KAT.networkId,
  networkPhrase: KAT.phrase,
  nodeKey: KAT.nodeKey,
  nodeType: NODE_TYPES.device,
  nodeArch: NODE_ARCHS.rpi_linux,
};

const codecError = (fn: () => unknown) => thrown(CodecError, fn);

describe('request body [REG-5.2]', () => {
  it('encodes to the committed 88 bytes, every field at its offset', () => {
    const body = encodeRequestBody(request);
    expect(body.length).toBe(REQUEST_BODY_BYTES);
    expect(Buffer.from(body).toString('hex')).toBe(KAT.body);
    expect(Buffer.from(body.subarray(80, 84)).readUInt32LE()).toBe(2);
    expect(Buffer.from(body.subarray(84, 88)).readUInt32LE()).toBe(4);
  });

  it('decodes the committed bytes back (mirror), and round-trips every type and arch', () => {
    expect(decodeRequestBody(Buffer.from(KAT.body, 'hex'))).toEqual(request);
    for (const nodeType of Object.values(NODE_TYPES)) {
      for (const nodeArch of Object.values(NODE_ARCHS)) {
        const r = { ...request, nodeType, nodeArch };
        expect(decodeRequestBody(encodeRequestBody(r))).toEqual(r);
      }
    }
  });

  it('an all-zero nodeId means "none" both ways', () => {
    const body = encodeRequestBody({ ...request, nodeId: undefined });
    expect(body.subarray(0, 16).every((b) => b === 0)).toBe(true);
    expect(decodeRequestBody(body).nodeId).toBeUndefined();
  });

  it('refuses wrong lengths and unknown codes, naming the offset', () => {
    for (const length of [0, 87, 89, 256]) {
      expect(codecError(() => decodeRequestBody(new Uint8Array(length)))).toMatchObject({ code: 'BODY_LENGTH' });
    }
    const body = Buffer.from(KAT.body, 'hex');
    for (const bad of [0, 3, 16, 0x100, 0xffffffff]) {
      const b = Buffer.from(body);
      b.writeUInt32LE(bad, 80);
      expect(codecError(() => decodeRequestBody(b))).toMatchObject({ code: 'NODE_TYPE', offset: 80 });
      const a = Buffer.from(body);
      a.writeUInt32LE(bad === 16 ? 64 : bad, 84);
      expect(codecError(() => decodeRequestBody(a))).toMatchObject({ code: 'NODE_ARCH', offset: 84 });
    }
    expect(codecError(() => encodeRequestBody({ ...request, nodeType: 3 }))).toMatchObject({ code: 'NODE_TYPE' });
  });
});

describe('registration key checksum [REG-5.4]', () => {
  const keyWithSum = (sum: number) => {
    const key = new Uint8Array(16);
    key[0] = sum & 0xff;
    key[1] = sum >> 8;
    return key;
  };
  it('accepts sums 14..100 and refuses 13 and 101 (mod 256)', () => {
    expect(isValidRegistrationKey(keyWithSum(13))).toBe(false);
    expect(isValidRegistrationKey(keyWithSum(14))).toBe(true);
    expect(isValidRegistrationKey(keyWithSum(100))).toBe(true);
    expect(isValidRegistrationKey(keyWithSum(101))).toBe(false);
    expect(keyChecksum(Uint8Array.from([255, 15]))).toBe(14);
    expect(isValidRegistrationKey(Uint8Array.from([255, 15, ...Array(14).fill(0)]))).toBe(true);
    expect(isValidRegistrationKey(new Uint8Array(15).fill(1))).toBe(false);
  });

  it('mints only keys that pass', () => {
    let seed = 1;
    const random = (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 69069 + 1) >>> 0) >>> 24);
    for (let i = 0; i < 2000; i++) expect(isValidRegistrationKey(mintRegistrationKey(random))).toBe(true);
  });
});

describe('reply envelopes [REG-5.6]', () => {
  it('ijam: the committed 50-byte frame for a fixed key and IV, and it opens back', () => {
    const frame = encodeOkReply(KAT.nodeId, KAT.nodeKey, { envelope: 'ijam', iv: KAT.ijamIv, token: 'unused-token' });
    expect(frame.length).toBe(50);
    expect(Buffer.from(frame).toString('hex')).toBe(KAT.ijamReply);
    expect(openReply(Buffer.from(KAT.ijamReply, 'hex'), KAT.nodeKey, { envelope: 'ijam', token: 'x' })).toEqual({ status: 200, nodeId: KAT.nodeId });
  });

  it('gcm: the committed 46-byte frame, bound to the token', () => {
    const frame = encodeOkReply(KAT.nodeId, KAT.nodeKey, { envelope: 'gcm', iv: KAT.gcmIv, token: KAT.gcmToken });
    expect(frame.length).toBe(46);
    expect(Buffer.from(frame).toString('hex')).toBe(KAT.gcmReply);
    expect(openReply(frame, KAT.nodeKey, { envelope: 'gcm', token: KAT.gcmToken })).toEqual({ status: 200, nodeId: KAT.nodeId });
    expect(codecError(() => openReply(frame, KAT.nodeKey, { envelope: 'gcm', token: 'token-9999' }))).toMatchObject({ code: 'ENVELOPE_AUTH' });
  });

  it('ijam pads every length to whole blocks with P in 1..16 and round-trips', () => {
    for (let n = 0; n <= 40; n++) {
      const p = ijamPadLength(n);
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThanOrEqual(16);
      expect((n + 1 + p) % 16).toBe(0);
      const data = Uint8Array.from({ length: n }, (_, i) => i * 7);
      expect(openIjam(sealIjam(data, KAT.nodeKey, KAT.ijamIv), KAT.nodeKey)).toEqual(data);
    }
  });

  it('ijam with the wrong key fails its padding or check byte', () => {
    const sealed = sealIjam(new Uint8Array(16).fill(9), KAT.nodeKey, KAT.ijamIv);
    const wrong = new Uint8Array(32).fill(1);
    expect(['ENVELOPE_PADDING', 'ENVELOPE_CHECK']).toContain(codecError(() => openIjam(sealed, wrong)).code);
    expect(codecError(() => openGcm(new Uint8Array(10), KAT.nodeKey, 't')).code).toBe('ENVELOPE_LENGTH');
  });

  it('error replies are status ‖ UTF-8 message', () => {
    const frame = encodeErrorReply(404, 'not found');
    expect(Buffer.from(frame.subarray(0, 2)).readUInt16LE()).toBe(404);
    expect(openReply(frame, KAT.nodeKey, { envelope: 'ijam', token: 't' })).toEqual({ status: 404, message: 'not found' });
    expect(codecError(() => openReply(new Uint8Array(1), KAT.nodeKey, { envelope: 'ijam', token: 't' })).code).toBe('FRAME_LENGTH');
  });
});

describe('RSA-OAEP request block [REG-5.1]', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('round-trips with SHA-256 and SHA-1, and a block is as long as the modulus', () => {
    const body = encodeRequestBody(request);
    for (const hash of ['sha256', 'sha1'] as const) {
      const block = encryptRequest(body, publicKey, hash);
      expect(block.length).toBe(256);
      expect(decryptRequest(block, privateKey, hash)).toEqual(body);
    }
  });

  it('the wrong hash, garbage and PKCS#1 v1.5 all fail the same way', () => {
    const block = encryptRequest(encodeRequestBody(request), publicKey, 'sha1');
    expect(codecError(() => decryptRequest(block, privateKey, 'sha256'))).toMatchObject({ code: 'DECRYPT', message: 'the request does not decrypt (at byte 0)' });
    expect(codecError(() => decryptRequest(new Uint8Array(256).fill(7), privateKey, 'sha256')).code).toBe('DECRYPT');
    expect(codecError(() => decryptRequest(new Uint8Array(5), privateKey, 'sha256')).code).toBe('DECRYPT');
    const v15 = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, encodeRequestBody(request));
    expect(codecError(() => decryptRequest(v15, privateKey, 'sha256')).code).toBe('DECRYPT');
    expect(codecError(() => decryptRequest(v15, privateKey, 'sha1')).code).toBe('DECRYPT');
  });
});
