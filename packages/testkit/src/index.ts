export * from './free-port.js';
export * from './server-process.js';
export * from './redis-server.js';
export * from './mosquitto.js';
export * from './mqtt-messages.js';
export * from './keys.js';
export * from './run-command.js';
export * from './container-server.js';
