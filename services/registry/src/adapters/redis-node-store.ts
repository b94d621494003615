import type { Redis } from 'ioredis';
import { RegistryError } from '@giotto/protocol';
import type { NodeRegistration, NodeRegistrationOutcome, NodeStore, StoredNode } from '../ports.js';
import { defineScript, runScript } from './lua-scripts.js';
import { guarded, waitForReplicas, type ReplicaWait } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/** Networks, their one-time keys and nodes on Redis; registration is one Lua script. */
export class RedisNodeStore implements NodeStore {
  private constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly replicaWait: ReplicaWait | undefined,
  ) {}

  static create(redis: Redis, keys: RedisKeys, replicaWait?: ReplicaWait): RedisNodeStore {
    defineScript(redis, 'giottoRegisterNode', './register-node.lua', 4);
    defineScript(redis, 'giottoCreateNetwork', './create-network.lua', 1);
    defineScript(redis, 'giottoRevokeNode', './revoke-node.lua', 1);
    return new RedisNodeStore(redis, keys, replicaWait);
  }

  registerNode(r: NodeRegistration): Promise<NodeRegistrationOutcome> {
    const { keys } = this;
    return guarded(async () => {
      const reply = (await runScript(
        this.redis,
        'giottoRegisterNode',
        [keys.network(r.networkId), keys.networkKeys(r.networkId), keys.networkNodes(r.networkId), keys.events],
        [keys.prefix, r.networkId, r.registrationKey, r.nodeId ?? '', r.generatedId, r.nodeType, r.nodeArch, r.nodeKey, r.at.toISOString(), r.at.getTime()],
      )) as [number, string?, string?, number?];
      if (reply[0] === 200) await waitForReplicas(this.redis, this.replicaWait);
      if (reply[0] === 200) return { status: 200, nodeId: reply[1]!, owner: reply[2]!, created: reply[3] === 1 };
      return { status: reply[0] as 403 | 404 };
    });
  }

  createNetwork(input: { networkId: string; owner: string; name: string; at: Date }): Promise<void> {
    return guarded(async () => {
      const created = await runScript(this.redis, 'giottoCreateNetwork', [this.keys.network(input.networkId)], [input.owner, input.name, input.at.toISOString()]);
      if (created !== 1) throw new RegistryError('CONFLICT', `network ${input.networkId} already exists`);
    });
  }

  async networkExists(networkId: string): Promise<boolean> {
    return guarded(async () => (await this.redis.exists(this.keys.network(networkId))) === 1);
  }

  addRegistrationKeys(networkId: string, hexKeys: string[], expiresAtMs: number | undefined): Promise<void> {
    return guarded(async () => {
      const members = hexKeys.flatMap((key) => [expiresAtMs ?? 0, key]);
      await this.redis.zadd(this.keys.networkKeys(networkId), ...members);
    });
  }

  listRegistrationKeys(networkId: string, nowMs: number): Promise<{ key: string; expiresAt: string | undefined }[]> {
    return guarded(async () => {
      const flat = await this.redis.zrange(this.keys.networkKeys(networkId), 0, -1, 'WITHSCORES');
      const out: { key: string; expiresAt: string | undefined }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const expires = Number(flat[i + 1]);
        if (expires !== 0 && expires <= nowMs) continue;
        out.push({ key: flat[i]!, expiresAt: expires === 0 ? undefined : new Date(expires).toISOString() });
      }
      return out;
    });
  }

  revokeRegistrationKey(networkId: string, hexKey: string): Promise<boolean> {
    return guarded(async () => (await this.redis.zrem(this.keys.networkKeys(networkId), hexKey)) === 1);
  }

  getNode(nodeId: string): Promise<StoredNode | undefined> {
    return guarded(async () => {
      const [networkId, owner, name, type, arch, state, createdOn, lastRegisteredOn] = await this.redis.hmget(
        this.keys.node(nodeId), 'networkId', 'owner', 'name', 'type', 'arch', 'state', 'createdOn', 'lastRegisteredOn',
      );
      if (!networkId) return undefined;
      return {
        nodeId, networkId, owner: owner!, name: name!, nodeType: Number(type), nodeArch: Number(arch), state: state!,
        createdOn: createdOn!, lastRegisteredOn: lastRegisteredOn ?? undefined,
      };
    });
  }

  listNodes(networkId: string): Promise<StoredNode[]> {
    return guarded(async () => {
      const ids = (await this.redis.smembers(this.keys.networkNodes(networkId))).sort();
      const nodes = await Promise.all(ids.map((id) => this.getNode(id)));
      return nodes.filter((n): n is StoredNode => n !== undefined);
    });
  }

  revokeNode(nodeId: string): Promise<boolean> {
    return guarded(async () => (await runScript(this.redis, 'giottoRevokeNode', [this.keys.node(nodeId)], [])) === 1);
  }
}
