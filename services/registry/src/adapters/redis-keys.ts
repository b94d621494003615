/**
 * The Redis key layout of the contract (section 4). Every key shares the prefix's hash tag
 * (`{registry}` by default), so each Lua script touches one slot and runs on Redis Cluster too.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  thingByUuid(uuid: string): string {
    return `${this.prefix}thing:uuid:${uuid}`;
  }

  thing(thingId: number | string): string {
    return `${this.prefix}thing:${thingId}`;
  }

  get thingSequence(): string {
    return `${this.prefix}seq:thing`;
  }

  jti(jti: string): string {
    return `${this.prefix}jti:${jti}`;
  }

  get events(): string {
    return `${this.prefix}events`;
  }

  get eventsPublished(): string {
    return `${this.prefix}events:published`;
  }

  network(networkId: string): string {
    return `${this.prefix}network:${networkId}`;
  }

  /** Sorted set of the network's registration keys (hex), scored by expiry in ms (0: never). */
  networkKeys(networkId: string): string {
    return `${this.prefix}network:${networkId}:keys`;
  }

  networkNodes(networkId: string): string {
    return `${this.prefix}network:${networkId}:nodes`;
  }

  node(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  get eventsLease(): string {
    return `${this.prefix}events:lease`;
  }
}
