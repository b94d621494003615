import { randomUUID } from 'node:crypto';
import type { NodeRegistrationRequest } from '@giotto/protocol';
import type { Clock, NodeRegistrationOutcome, NodeStore } from '../ports.js';

export interface NodeRegisterDeps {
  store: NodeStore;
  clock: Clock;
  newId?: () => string;
}

/**
 * Node registration [REG-5.7] after the frame decoded: network, key, ownership, state and upsert,
 * all in the store's one script. Returns the outcome; the node dispatcher builds the reply frame.
 */
export function nodeRegisterHandler(deps: NodeRegisterDeps): (request: NodeRegistrationRequest) => Promise<NodeRegistrationOutcome> {
  const newId = deps.newId ?? randomUUID;
  return (request) =>
    deps.store.registerNode({
      networkId: request.networkId,
      registrationKey: Buffer.from(request.networkPhrase).toString('hex'),
      nodeId: request.nodeId,
      generatedId: newId(),
      nodeType: request.nodeType,
      nodeArch: request.nodeArch,
      nodeKey: Buffer.from(request.nodeKey).toString('base64'),
      at: deps.clock.now(),
    });
}
