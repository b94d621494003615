export { RegistryClient, RegistryTimeoutError, type RegistryClientOptions, type Signer } from './registry-client.js';
export { watchRegistry, type RegistryUpdate, type RegistryWatcher } from './registry-watcher.js';
export { generateThingKeys, loadOrCreateThingKeys, thingKeysFromJwk, type ThingKeys } from './thing-keys.js';
export { RegistryError } from '@giotto/protocol';
