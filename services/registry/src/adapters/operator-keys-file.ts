import { readFileSync, statSync } from 'node:fs';
import { checkThingJwk, OPERATOR_KID_PREFIX } from '@giotto/protocol';
import type { Logger, OperatorKeys } from '../ports.js';

/**
 * The operators' public JWKS (REGISTRY_OPERATOR_KEYS): `{ "keys": [ { "kid": "operator:<name>", … } ] }`.
 * Read at start (a bad file stops the start) and again whenever its modification time changes,
 * so adding an operator needs no restart.
 */
export class OperatorKeysFile implements OperatorKeys {
  private keys = new Map<string, Record<string, unknown>>();
  private mtimeMs = -1;

  private constructor(
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  static load(path: string, logger: Logger): OperatorKeysFile {
    const file = new OperatorKeysFile(path, logger);
    file.reload(true);
    return file;
  }

  async find(kid: string): Promise<Record<string, unknown> | undefined> {
    this.reload(false);
    return this.keys.get(kid);
  }

  private reload(strict: boolean): void {
    try {
      const mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.keys = parseOperatorJwks(readFileSync(this.path, 'utf8'));
      this.mtimeMs = mtimeMs;
      this.logger.info({ path: this.path, operators: [...this.keys.keys()] }, 'operator keys loaded');
    } catch (err) {
      const message = `REGISTRY_OPERATOR_KEYS: ${this.path}: ${(err as Error).message}`;
      if (strict) throw new Error(message);
      this.logger.warn(message + ' (keeping the keys read before)');
    }
  }
}

/** Parses and checks a JWKS of operator keys: public RSA keys only, each with an operator kid. */
export function parseOperatorJwks(text: string): Map<string, Record<string, unknown>> {
  const jwks = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(jwks.keys)) throw new Error('must be a JWKS: { "keys": [ … ] }');
  const keys = new Map<string, Record<string, unknown>>();
  for (const entry of jwks.keys as Record<string, unknown>[]) {
    const kid = entry?.kid;
    if (typeof kid !== 'string' || !kid.startsWith(OPERATOR_KID_PREFIX) || kid.length === OPERATOR_KID_PREFIX.length) {
      throw new Error(`every key needs a kid "operator:<name>" (got ${JSON.stringify(kid)})`);
    }
    try {
      keys.set(kid, { ...checkThingJwk(entry) });
    } catch (err) {
      throw new Error(`key ${kid}: ${(err as Error).message}`);
    }
  }
  return keys;
}

/** No operators configured: every operator-signed request is FORBIDDEN. */
export const noOperators: OperatorKeys = { find: async () => undefined };
