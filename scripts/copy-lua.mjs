// Copies the Redis Lua scripts next to the compiled adapters that load them (tsc copies only .ts).
import { cpSync } from 'node:fs';
const [from, to] = process.argv.slice(2);
cpSync(from, to, { recursive: true, filter: (src) => !/\.[^/]+$/.test(src) || src.endsWith('.lua') });
