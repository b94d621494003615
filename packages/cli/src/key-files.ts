import { readFile, writeFile, chmod } from 'node:fs/promises';
import { checkThingJwk, type ThingKeyAlg, type ThingPublicJwk } from '@giotto/protocol';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { CliError } from './cli-error.js';

export interface KeyFile {
  path: string;
  /** The public half, as the registry stores and checks it. */
  publicJwk: ThingPublicJwk;
  /** Present when the file holds a private key: it can sign. */
  privateKey: CryptoKey | undefined;
  alg: ThingKeyAlg;
  kid: string | undefined;
}

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** Reads a JWK file: a private key (can sign) or a public one (can only be registered). */
export async function readKeyFile(path: string): Promise<KeyFile> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (err) {
    throw new CliError(`cannot read the JWK in ${path}: ${(err as Error).message}`);
  }
  const publicOnly = Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE.includes(k) && k !== 'key_ops' && k !== 'ext'));
  let publicJwk: ThingPublicJwk;
  try {
    publicJwk = checkThingJwk(publicOnly);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`);
  }
  const alg = publicJwk.alg ?? 'RS256';
  const privateKey = typeof jwk.d === 'string' ? ((await importJWK({ ...jwk, key_ops: undefined, ext: undefined }, alg)) as CryptoKey) : undefined;
  return { path, publicJwk, privateKey, alg, kid: typeof jwk.kid === 'string' ? jwk.kid : undefined };
}

/** Makes an RSA key pair; writes the private JWK with mode 0600 (never over an existing file). */
export async function generateKeyFile(path: string, options: { alg: ThingKeyAlg; bits: number; kid?: string }): Promise<ThingPublicJwk> {
  const { privateKey } = await generateKeyPair(options.alg, { modulusLength: options.bits, extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: options.alg, ...(options.kid ? { kid: options.kid } : {}) };
  try {
    await writeFile(path, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
  }
  return checkThingJwk(Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE.includes(k))));
}

export function requireSigner(key: KeyFile): CryptoKey {
  if (!key.privateKey) throw new CliError(`${key.path} holds a public key; signing needs the private JWK`);
  return key.privateKey;
}
