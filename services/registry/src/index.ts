export { startApp, type RunningApp } from './app.js';
export { loadConfig, ConfigError, type Config } from './config.js';
export { createLogger } from './logger.js';
export { RedisKeys } from './adapters/redis-keys.js';
export { RedisThingStore } from './adapters/redis-thing-store.js';
export { createRedis, waitForRedis } from './adapters/redis-connection.js';
export type { StoredThing } from './ports.js';
export { RedisNodeStore } from './adapters/redis-node-store.js';
export type { StoredNode, NodeStore } from './ports.js';
