import { describe, expect, it } from 'vitest';
import { thrown } from './thrown.js';
import {
  checkPayloadSize,
  ERROR_CODE_LIST,
  errorMessageSchema,
  isRetryable,
  parseJsonPayload,
  registerThingRequestSchema,
  RequestError,
  salvageAddress,
  toRegistryError,
  Topics,
  validateRequestBody,
} from '../src/index.js';

const uuid = '0b8e4f1a-6c2d-4e3f-9a1b-2c3d4e5f6a7b';
const jwk = { kty: 'RSA', n: 'x', e: 'AQAB' };

const caught = (fn: () => unknown) => thrown(RequestError, fn);

describe('request schemas [REG-2.1]–[REG-2.4]', () => {
  it('accepts a RegisterThingRequest with the key as text or object, with or without requestId', () => {
    expect(registerThingRequestSchema.parse({ type: 'RegisterThingRequest', uuid, publicKey: jwk })).toBeDefined();
    expect(registerThingRequestSchema.parse({ type: 'RegisterThingRequest', uuid: uuid.toUpperCase(), publicKey: JSON.stringify(jwk), requestId: 'a' })).toBeDefined();
  });

  it('accepts any RFC 9562 UUID version, nil and max, and refuses other strings', () => {
    for (const u of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '01890a5d-ac96-774b-bcce-b302099a8057', '6ba7b810-9dad-11d1-80b4-00c04fd430c8']) {
      expect(registerThingRequestSchema.safeParse({ type: 'RegisterThingRequest', uuid: u, publicKey: jwk }).success).toBe(true);
    }
    for (const u of ['', 'abc', `${uuid}x`, uuid.replace(/-/g, ''), 42]) {
      expect(registerThingRequestSchema.safeParse({ type: 'RegisterThingRequest', uuid: u, publicKey: jwk }).success).toBe(false);
    }
  });

  it('refuses a requestId outside 1–64 characters', () => {
    expect(registerThingRequestSchema.safeParse({ type: 'RegisterThingRequest', uuid, publicKey: jwk, requestId: '' }).success).toBe(false);
    expect(registerThingRequestSchema.safeParse({ type: 'RegisterThingRequest', uuid, publicKey: jwk, requestId: 'x'.repeat(65) }).success).toBe(false);
    expect(registerThingRequestSchema.safeParse({ type: 'RegisterThingRequest', uuid, publicKey: jwk, requestId: 'x'.repeat(64) }).success).toBe(true);
  });

  it('validateRequestBody: the type must match the topic, and the failing address is salvaged', () => {
    const wrongType = caught(() => validateRequestBody('register', { type: 'UpdateKeyRequest', uuid, requestId: 'r' }));
    expect(wrongType).toMatchObject({ code: 'INVALID_REQUEST', address: { uuid, requestId: 'r' } });
    const missingKey = caught(() => validateRequestBody('register', { type: 'RegisterThingRequest', uuid }));
    expect(missingKey.message).toMatch(/publicKey/);
    expect(missingKey.address).toEqual({ uuid });
    const notObject = caught(() => validateRequestBody('register', [1]));
    expect(notObject.address).toEqual({});
    expect(salvageAddress({ uuid: 'nope', requestId: 7 })).toEqual({});
  });

  it('parseJsonPayload and checkPayloadSize refuse with their codes', () => {
    expect(caught(() => parseJsonPayload(Buffer.from('{oops')))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(caught(() => parseJsonPayload(Buffer.from([0xff, 0xfe])))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(caught(() => checkPayloadSize(Buffer.alloc(101), 100))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(() => checkPayloadSize(Buffer.alloc(100), 100)).not.toThrow();
  });
});

describe('error codes [REG-2.9]', () => {
  it('only UNAVAILABLE, RATE_LIMITED and INTERNAL are retryable', () => {
    expect(ERROR_CODE_LIST.filter(isRetryable).sort()).toEqual(['INTERNAL', 'RATE_LIMITED', 'UNAVAILABLE']);
  });

  it('toRegistryError maps anything else to INTERNAL and keeps the cause', () => {
    const cause = new TypeError('boom');
    const error = toRegistryError(cause);
    expect(error).toMatchObject({ code: 'INTERNAL', retryable: true, cause });
    expect(error.message).not.toMatch(/boom/);
  });

  it('the Error schema takes every code', () => {
    for (const code of ERROR_CODE_LIST) {
      expect(errorMessageSchema.safeParse({ type: 'Error', code, message: 'm', retryable: isRetryable(code) }).success).toBe(true);
    }
    expect(errorMessageSchema.safeParse({ type: 'Error', code: 'NOPE', message: 'm', retryable: false }).success).toBe(false);
  });
});

describe('topics [REG-1.1]', () => {
  it('builds every topic with the prefix and lower-cases reply UUIDs', () => {
    const t = new Topics('site1/');
    expect(t.request('update-key')).toBe('site1/update-key');
    expect(t.reply(uuid.toUpperCase())).toBe(`site1/registry/reply/${uuid}`);
    expect(t.thing(7)).toBe('site1/registry/things/7');
    expect(t.event('key-updated')).toBe('site1/registry/events/key-updated');
    expect(t.nodeReply('abcdefgh')).toBe('site1/nodes/register/abcdefgh/reply');
    expect(new Topics().request('register')).toBe('register');
  });

  it('parses request topics and node tokens', () => {
    const t = new Topics('p/');
    expect(t.requestKindOf('p/register')).toBe('register');
    expect(t.requestKindOf('register')).toBeUndefined();
    expect(t.requestKindOf('p/toString')).toBeUndefined();
    expect(t.nodeTokenOf('p/nodes/register/abc_DEF-12')).toBe('abc_DEF-12');
    expect(t.nodeTokenOf('p/nodes/register/abc/reply')).toBeUndefined();
  });

  it('allows Response Topics outside the registry namespace only [REG-1.4]', () => {
    const t = new Topics();
    expect(t.isAllowedResponseTopic('my/inbox')).toBe(true);
    expect(t.isAllowedResponseTopic('registry/reply/abc')).toBe(true);
    for (const bad of ['register', 'update-key', 'registry/things/1', 'registry/status', 'registry/events/registered', 'nodes/register/x', '$SYS/x', 'a/+/b', '']) {
      expect(t.isAllowedResponseTopic(bad)).toBe(false);
    }
  });
});
