import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Defines a command from .lua files that sit next to this module, joined in order (a shared
 * preamble first, then the script's own steps: Redis has no include). ioredis runs it with EVALSHA
 * and falls back to EVAL on NOSCRIPT, so scripts survive a Redis restart.
 */
export function defineScript(redis: Redis, name: string, files: string | string[], numberOfKeys: number): void {
  const lua = (Array.isArray(files) ? files : [files]).map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
  redis.defineCommand(name, { numberOfKeys, lua });
}

type ScriptRunner = (...args: (string | number)[]) => Promise<unknown>;

/** Runs a command defined by defineScript with its KEYS then ARGV. */
export function runScript(redis: Redis, name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  const command = (redis as unknown as Record<string, ScriptRunner>)[name];
  if (typeof command !== 'function') throw new Error(`redis script ${name} is not defined`);
  return command.call(redis, ...keys, ...args);
}
