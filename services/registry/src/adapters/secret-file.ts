import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../ports.js';

/**
 * Reads a key file, or returns undefined when there is none. A file others can read is used, with a
 * warning (secrets mounted by an orchestrator are often 0644), never silently.
 */
export async function readSecretFile(path: string, variable: string, logger: Logger): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & 0o077) !== 0) logger.warn({ path, mode: mode.toString(8) }, `${variable}: the key file is readable by others; chmod 600 it`);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${variable}: cannot read the key at ${path}: ${(err as Error).message}`);
  }
}

/** Writes a new key file with mode 0600; never overwrites (two instances starting at once: one fails). */
export async function writeSecretFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}
