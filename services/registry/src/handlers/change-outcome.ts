import { RegistryError } from '@giotto/protocol';
import type { ChangeOutcome } from '../ports.js';

/** Turns a refused outcome of a change script into its wire error ([REG-2.8], last steps). */
export function refuseUnlessDone(outcome: ChangeOutcome, uuid: string, newUuid?: string): void {
  switch (outcome) {
    case 'ok':
    case 'unchanged':
      return;
    case 'replayed':
      throw new RegistryError('REPLAYED', 'this request (its jti) was already seen');
    case 'not-found':
      throw new RegistryError('NOT_FOUND', `${uuid} is not registered`);
    case 'stale-signer':
      // The key changed between the signature check and the change: the signer is no longer current.
      throw new RegistryError('INVALID_SIGNATURE', "the signature does not verify with the signer's key");
    case 'conflict':
      throw new RegistryError('CONFLICT', `${newUuid ?? uuid} is already registered`);
  }
}
