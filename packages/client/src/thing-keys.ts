import { readFile, writeFile, chmod } from 'node:fs/promises';
import { checkThingJwk, type ThingKeyAlg, type ThingPublicJwk } from '@giotto/protocol';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** A Thing's (or an operator's) key pair: the public JWK it registers and the key it signs with. */
export interface ThingKeys {
  publicJwk: ThingPublicJwk;
  privateKey: CryptoKey;
  alg: ThingKeyAlg;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

export async function generateThingKeys(alg: ThingKeyAlg = 'RS256', modulusLength = 2048): Promise<ThingKeys> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { modulusLength, extractable: true });
  return { publicJwk: checkThingJwk({ ...(await exportJWK(publicKey)), alg }), privateKey, alg };
}

export async function thingKeysFromJwk(privateJwk: JWK): Promise<ThingKeys> {
  const publicJwk = checkThingJwk(Object.fromEntries(Object.entries(privateJwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k) && k !== 'key_ops' && k !== 'ext')));
  const alg = publicJwk.alg ?? 'RS256';
  return { publicJwk, privateKey: (await importJWK({ ...privateJwk, key_ops: undefined, ext: undefined }, alg)) as CryptoKey, alg };
}

/**
 * Loads the private JWK at `path`, or makes a key pair and writes it there (mode 0600), so a
 * device keeps one identity across restarts.
 */
export async function loadOrCreateThingKeys(path: string, alg: ThingKeyAlg = 'RS256'): Promise<ThingKeys> {
  try {
    return await thingKeysFromJwk(JSON.parse(await readFile(path, 'utf8')) as JWK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg };
  await writeFile(path, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return thingKeysFromJwk(jwk);
}
