export * from './codec-error.js';
export * from './node-codes.js';
export * from './registration-key.js';
export * from './request-body.js';
export * from './envelopes.js';
export * from './reply-frame.js';
export * from './rsa-oaep.js';
export * from './node-side.js';
