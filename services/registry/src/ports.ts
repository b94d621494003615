import type { Logger } from 'pino';

export type { Logger };

/** A message as the registry receives it from the broker. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** MQTT 5 Response Topic, when the requester set one. */
  responseTopic?: string;
  /** MQTT 5 Correlation Data, echoed with the reply. */
  correlationData?: Buffer;
}

export interface OutboundMessage {
  topic: string;
  payload: string | Buffer;
  retain?: boolean;
  qos?: 0 | 1;
  correlationData?: Buffer;
}

/** The MQTT side of the registry, as the service sees it. */
export interface Bus {
  /** Publishes and resolves once the broker has it (PUBACK for QoS 1). */
  publish(message: OutboundMessage): Promise<void>;
  /**
   * Starts delivering messages of these filters to the handler (shared group applied by the bus).
   * When the handler returns a promise, the bus reads nothing more from the broker until it settles.
   */
  subscribe(filters: string[], handler: (message: InboundMessage) => Promise<void> | undefined): Promise<void>;
  /** Stops taking new messages; those not taken stay with the broker for the next session. */
  hold(): void;
  /** Publishes the final status and disconnects cleanly. */
  close(offline: OutboundMessage): Promise<void>;
}

export type RegisterOutcome = 'created' | 'existing' | 'mismatch';
/** Outcomes of the signed operations' scripts; `stale-signer`: the key changed since it was read. */
export type ChangeOutcome = 'ok' | 'unchanged' | 'replayed' | 'not-found' | 'stale-signer' | 'conflict';

/** A stored Thing, as read back. */
export interface StoredThing {
  thingId: number;
  uuid: string;
  publicKeyJson: string;
  thumbprint: string;
  registeredAt: string;
  updatedAt: string;
}

/** What every signed change carries into its script: replay guard, signer check, time. */
export interface SignedChange {
  uuid: string;
  jti: string;
  /** Thumbprint of the Thing key that signed ('' when an operator signed). */
  signerThumbprint: string;
  at: string;
}

/** A new key for a Thing, already validated. */
export interface NewKey {
  publicKeyJson: string;
  thumbprint: string;
}

/** Thing state in Redis; every method is one atomic step there. */
export interface ThingStore {
  /** [REG-2.5] Assigns a new thingId, returns the existing one, or reports another key. */
  registerThing(input: {
    uuid: string;
    publicKeyJson: string;
    thumbprint: string;
    at: string;
  }): Promise<{ outcome: RegisterOutcome; thingId: number }>;
  findThing(uuid: string): Promise<StoredThing | undefined>;
  /** Looks a Thing up by id (for operators and the CLI). */
  findThingById(thingId: number): Promise<StoredThing | undefined>;
  deregisterThing(change: SignedChange): Promise<{ outcome: ChangeOutcome; thingId: number }>;
  replaceThing(change: SignedChange & { newUuid: string; newKey: NewKey }): Promise<{ outcome: ChangeOutcome; thingId: number }>;
  updateKey(change: SignedChange & { newKey: NewKey }): Promise<{ outcome: ChangeOutcome; thingId: number }>;
}

/** One decoded node registration, as the registration script takes it. */
export interface NodeRegistration {
  networkId: string;
  /** The one-time registration key, hex. */
  registrationKey: string;
  nodeId: string | undefined;
  /** Used when an id must be generated (none given, or another owner's). */
  generatedId: string;
  nodeType: number;
  nodeArch: number;
  /** The node's AES-256 key, base64; stored for later traffic, never logged. */
  nodeKey: string;
  at: Date;
}

export type NodeRegistrationOutcome =
  | { status: 200; nodeId: string; owner: string; created: boolean }
  | { status: 403 | 404 };

export interface StoredNode {
  nodeId: string;
  networkId: string;
  owner: string;
  name: string;
  nodeType: number;
  nodeArch: number;
  state: string;
  createdOn: string;
  lastRegisteredOn: string | undefined;
}

/** Networks, one-time keys and nodes; registerNode is one atomic step [REG-5.7]. */
export interface NodeStore {
  registerNode(registration: NodeRegistration): Promise<NodeRegistrationOutcome>;
  createNetwork(input: { networkId: string; owner: string; name: string; at: Date }): Promise<void>;
  networkExists(networkId: string): Promise<boolean>;
  addRegistrationKeys(networkId: string, hexKeys: string[], expiresAtMs: number | undefined): Promise<void>;
  listRegistrationKeys(networkId: string, nowMs: number): Promise<{ key: string; expiresAt: string | undefined }[]>;
  revokeRegistrationKey(networkId: string, hexKey: string): Promise<boolean>;
  getNode(nodeId: string): Promise<StoredNode | undefined>;
  listNodes(networkId: string): Promise<StoredNode[]>;
  revokeNode(nodeId: string): Promise<boolean>;
}

/** The operators' public keys (REGISTRY_OPERATOR_KEYS). */
export interface OperatorKeys {
  /** The public JWK with this exact kid (`operator:<name>`), or undefined. */
  find(kid: string): Promise<Record<string, unknown> | undefined>;
}

/** One entry of the `events` stream: the event kind and the flat fields the change recorded. */
export interface OutboxEntry {
  id: string;
  fields: Record<string, string>;
}

/** The outbox stream, read and acknowledged by the one instance holding its lease. */
export interface Outbox {
  /** Takes or renews the publisher lease; false while another instance holds it. */
  holdLease(): Promise<boolean>;
  releaseLease(): Promise<void>;
  lastPublishedId(): Promise<string>;
  /** Entries after `afterId`, waiting up to `blockMs` for the first one. */
  readAfter(afterId: string, count: number, blockMs: number): Promise<OutboxEntry[]>;
  /** Records `id` as published (only while holding the lease) and trims what is behind it. */
  markPublished(id: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
