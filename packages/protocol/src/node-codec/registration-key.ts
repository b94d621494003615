import { CodecError } from './codec-error.js';

/** A network registration key (the seed's networkPhrase): 16 raw bytes, 32 hex characters. */
export const REGISTRATION_KEY_BYTES = 16;
export const KEY_CHECKSUM_MIN = 14;
export const KEY_CHECKSUM_MAX = 100;

/** [REG-5.4] The byte sum of the key mod 256. */
export function keyChecksum(key: Uint8Array): number {
  let sum = 0;
  for (const byte of key) sum = (sum + byte) & 0xff;
  return sum;
}

/** [REG-5.4] The key check the registry makes before any Redis call: checksum within 14..100. */
export function isValidRegistrationKey(key: Uint8Array): boolean {
  if (key.length !== REGISTRATION_KEY_BYTES) return false;
  const sum = keyChecksum(key);
  return sum >= KEY_CHECKSUM_MIN && sum <= KEY_CHECKSUM_MAX;
}

export function checkRegistrationKey(key: Uint8Array, offset = 32): void {
  if (!isValidRegistrationKey(key)) throw new CodecError('KEY_CHECKSUM', offset, `registration key checksum ${keyChecksum(key)} is outside ${KEY_CHECKSUM_MIN}..${KEY_CHECKSUM_MAX}`);
}

/**
 * Mints a key that passes the check: random bytes, with the last byte chosen so the sum lands
 * on a random value in range. `random` is injected so the codec stays free of I/O.
 */
export function mintRegistrationKey(random: (size: number) => Uint8Array): Uint8Array {
  const key = Uint8Array.from(random(REGISTRATION_KEY_BYTES));
  const target = KEY_CHECKSUM_MIN + (random(1)[0]! % (KEY_CHECKSUM_MAX - KEY_CHECKSUM_MIN + 1));
  const partial = keyChecksum(key.subarray(0, REGISTRATION_KEY_BYTES - 1));
  key[REGISTRATION_KEY_BYTES - 1] = (target - partial + 256) & 0xff;
  return key;
}
