import { normalizeUuid } from './uuid.js';

/** The request topics a Thing or operator publishes on, and the operation each one names. */
export const REQUEST_TOPICS = {
  register: 'RegisterThingRequest',
  deregister: 'DeregisterThingRequest',
  replace: 'ReplaceThingRequest',
  'update-key': 'UpdateKeyRequest',
} as const;

export type RequestTopic = keyof typeof REQUEST_TOPICS;
export type RequestType = (typeof REQUEST_TOPICS)[RequestTopic];

export const EVENT_KINDS = ['registered', 'deregistered', 'replaced', 'key-updated', 'node-registered'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** [REG-5.1] A node's reply token: 8–64 characters of [A-Za-z0-9_-]. */
const NODE_TOKEN = /^[A-Za-z0-9_-]{8,64}$/;

export function isNodeToken(token: string): boolean {
  return NODE_TOKEN.test(token);
}

/**
 * Every topic of the contract (section 1), built for one prefix. No topic string is
 * concatenated anywhere else in the project.
 */
export class Topics {
  readonly prefix: string;

  constructor(prefix = '') {
    this.prefix = prefix;
  }

  request(kind: RequestTopic): string {
    return this.prefix + kind;
  }

  /** [REG-1.3] Replies go to the lower-case form of the UUID. */
  reply(uuid: string): string {
    return `${this.prefix}registry/reply/${normalizeUuid(uuid)}`;
  }

  event(kind: EventKind): string {
    return `${this.prefix}registry/events/${kind}`;
  }

  thing(thingId: number): string {
    return `${this.prefix}registry/things/${thingId}`;
  }

  get thingsWildcard(): string {
    return `${this.prefix}registry/things/+`;
  }

  get eventsWildcard(): string {
    return `${this.prefix}registry/events/+`;
  }

  get publicKey(): string {
    return `${this.prefix}registry/public-key`;
  }

  get nodePublicKey(): string {
    return `${this.prefix}registry/node-public-key`;
  }

  get status(): string {
    return `${this.prefix}registry/status`;
  }

  get errors(): string {
    return `${this.prefix}registry/errors`;
  }

  nodeRegister(token: string): string {
    return `${this.prefix}nodes/register/${token}`;
  }

  get nodeRegisterWildcard(): string {
    return `${this.prefix}nodes/register/+`;
  }

  nodeReply(token: string): string {
    return `${this.prefix}nodes/register/${token}/reply`;
  }

  /** The request topic kind of an incoming topic, or undefined when it is not one. */
  requestKindOf(topic: string): RequestTopic | undefined {
    if (!topic.startsWith(this.prefix)) return undefined;
    const rest = topic.slice(this.prefix.length);
    return Object.hasOwn(REQUEST_TOPICS, rest) ? (rest as RequestTopic) : undefined;
  }

  /** The token of a node registration topic (valid or not), or undefined for other topics. */
  nodeTokenOf(topic: string): string | undefined {
    const head = `${this.prefix}nodes/register/`;
    if (!topic.startsWith(head)) return undefined;
    const token = topic.slice(head.length);
    return token.includes('/') ? undefined : token;
  }

  /**
   * [REG-1.4] A Response Topic the registry will publish to on a requester's behalf: never one of
   * its own request topics or public topics (that would let anyone forge registry output), except
   * the reply space `registry/reply/…`.
   */
  isAllowedResponseTopic(topic: string): boolean {
    if (topic.length === 0 || topic.startsWith('$') || /[+#\u0000]/.test(topic)) return false;
    if (!topic.startsWith(this.prefix)) return true;
    const rest = topic.slice(this.prefix.length);
    if (Object.hasOwn(REQUEST_TOPICS, rest)) return false;
    if (rest.startsWith('nodes/')) return false;
    if (rest.startsWith('registry/')) return rest.startsWith('registry/reply/');
    return true;
  }
}
