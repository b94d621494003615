import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Defines a command from a .lua file that sits next to this module. ioredis runs it with EVALSHA
 * and falls back to EVAL on NOSCRIPT, so scripts survive a Redis restart.
 */
export function defineScript(redis: Redis, name: string, file: string, numberOfKeys: number): void {
  const lua = readFileSync(new URL(file, import.meta.url), 'utf8');
  redis.defineCommand(name, { numberOfKeys, lua });
}

type ScriptRunner = (...args: (string | number)[]) => Promise<unknown>;

/** Runs a command defined by defineScript with its KEYS then ARGV. */
export function runScript(redis: Redis, name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  const command = (redis as unknown as Record<string, ScriptRunner>)[name];
  if (typeof command !== 'function') throw new Error(`redis script ${name} is not defined`);
  return command.call(redis, ...keys, ...args);
}
