import { describe, expect, it } from 'vitest';
import { calculateJwkThumbprint } from 'jose';
import { ecJwk, generateThingKeyPair, rsaJwkPair } from '@giotto/testkit';
import { checkThingJwk, RegistryError, thumbprintOf, validateThingKey } from '../src/index.js';

async function expectInvalidKey(input: unknown, message: RegExp): Promise<void> {
  const error = await validateThingKey(input).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect(error).toMatchObject({ code: 'INVALID_KEY', retryable: false });
  expect((error as Error).message).toMatch(message);
}

describe('Thing JWK rules [REG-2.2]', () => {
  it('accepts a WebCrypto-exported RSA public key, as an object or as JSON text', async () => {
    const { publicJwk } = await generateThingKeyPair();
    expect(publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', key_ops: ['verify'], ext: true });
    const asObject = await validateThingKey(publicJwk);
    const asText = await validateThingKey(JSON.stringify(publicJwk));
    expect(asObject.thumbprint).toBe(asText.thumbprint);
    expect(asObject.jwk).toEqual({ kty: 'RSA', n: publicJwk.n, e: publicJwk.e, alg: 'RS256' });
  });

  it('accepts keys without alg (imported as RS256), with use "sig", RS384/RS512, 4096 bits, and a kid', async () => {
    const { publicJwk } = rsaJwkPair(2048);
    expect(publicJwk.alg).toBeUndefined();
    await expect(validateThingKey(publicJwk)).resolves.toBeDefined();
    await expect(validateThingKey({ ...publicJwk, use: 'sig', kid: 'k1' })).resolves.toMatchObject({ jwk: { use: 'sig', kid: 'k1' } });
    for (const alg of ['RS384', 'RS512'] as const) {
      const key = await generateThingKeyPair(alg);
      await expect(validateThingKey(key.publicJwk)).resolves.toMatchObject({ jwk: { alg } });
    }
    await expect(validateThingKey(rsaJwkPair(4096).publicJwk)).resolves.toBeDefined();
  });

  it('gives one thumbprint per key whatever the labels (RFC 7638)', async () => {
    const { publicJwk } = rsaJwkPair(2048);
    const bare = await thumbprintOf(checkThingJwk(publicJwk));
    const labelled = await thumbprintOf(checkThingJwk({ ...publicJwk, alg: 'RS512', use: 'sig', kid: 'x' }));
    expect(labelled).toBe(bare);
    expect(bare).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await thumbprintOf(checkThingJwk(rsaJwkPair(2048).publicJwk))).not.toBe(bare);
  });

  it('computes the same RFC 7638 thumbprint as jose', async () => {
    for (let i = 0; i < 5; i++) {
      const { publicJwk } = rsaJwkPair(2048);
      expect(thumbprintOf(checkThingJwk(publicJwk))).toBe(await calculateJwkThumbprint(publicJwk, 'sha256'));
    }
  });

  it('refuses an EC key', async () => {
    await expectInvalidKey(ecJwk(), /RSA/);
  });

  it('refuses a 1024-bit RSA key', async () => {
    await expectInvalidKey(rsaJwkPair(1024).publicJwk, /1024 bits; at least 2048/);
  });

  it('refuses a private JWK, and any single private member', async () => {
    const { privateJwk, publicJwk } = rsaJwkPair(2048);
    await expectInvalidKey(privateJwk, /private/);
    await expectInvalidKey(JSON.stringify(privateJwk), /private/);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      await expectInvalidKey({ ...publicJwk, [member]: (privateJwk as Record<string, unknown>)[member] }, /private/);
    }
  });

  it('refuses garbage', async () => {
    await expectInvalidKey('not json', /JSON/);
    await expectInvalidKey('[1,2]', /JWK object/);
    await expectInvalidKey(null, /JWK object/);
    await expectInvalidKey({ kty: 'RSA' }, /"n"/);
    await expectInvalidKey({ kty: 'RSA', n: 'abc+/=', e: 'AQAB' }, /base64url/);
    await expectInvalidKey({ kty: 'RSA', n: 'A'.repeat(342), e: 'AQAB' }, /leading zero|bits/);
    await expectInvalidKey({ kty: 'oct', k: 'AAAA' }, /RSA/);
  });

  it('refuses non-canonical base64url (the same key must not have two encodings)', async () => {
    const { publicJwk } = rsaJwkPair(2048);
    await expectInvalidKey({ ...publicJwk, n: `${publicJwk.n}=` }, /base64url/);
    await expectInvalidKey({ ...publicJwk, e: 'AQAC' }, /exponent/);
    await expectInvalidKey({ ...publicJwk, e: 'AQAB'.slice(0, 3) + 'C' }, /base64url|exponent/);
  });

  it('applies the use / alg / key_ops rules', async () => {
    const { publicJwk } = rsaJwkPair(2048);
    await expectInvalidKey({ ...publicJwk, use: 'enc' }, /"use"/);
    await expectInvalidKey({ ...publicJwk, alg: 'PS256' }, /"alg"/);
    await expectInvalidKey({ ...publicJwk, alg: 'RSA-OAEP' }, /"alg"/);
    await expectInvalidKey({ ...publicJwk, key_ops: ['encrypt'] }, /key_ops/);
    await expectInvalidKey({ ...publicJwk, key_ops: 'verify' }, /key_ops/);
    await expectInvalidKey({ ...publicJwk, ext: 'yes' }, /ext/);
  });
});
