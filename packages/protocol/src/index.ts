export * from './errors.js';
export * from './uuid.js';
export * from './topics.js';
export * from './jwk.js';
export * from './schemas/common.js';
export * from './schemas/thing-messages.js';
export * from './schemas/events.js';
export * from './request-parsing.js';
