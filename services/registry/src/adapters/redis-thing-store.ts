import type { Redis } from 'ioredis';
import type { ChangeOutcome, NewKey, RegisterOutcome, SignedChange, StoredThing, ThingStore } from '../ports.js';
import { defineScript, runScript } from './lua-scripts.js';
import { guarded, waitForReplicas, type ReplicaWait } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/** [REG-2.8] A signed message's id is remembered this long; `iat` is only accepted within ±300 s. */
export const JTI_LIFETIME_SECONDS = 600;

const PREAMBLE = './signed-change-preamble.lua';
const SCRIPTS: Record<string, [files: string[], numberOfKeys: number]> = {
  giottoRegisterThing: [['./register-thing.lua'], 3],
  giottoFindThing: [['./find-thing.lua'], 1],
  giottoDeregisterThing: [[PREAMBLE, './deregister-thing.lua'], 3],
  giottoReplaceThing: [[PREAMBLE, './replace-thing.lua'], 4],
  giottoUpdateKey: [[PREAMBLE, './update-key.lua'], 3],
};
type ScriptName = 'giottoRegisterThing' | 'giottoFindThing' | 'giottoDeregisterThing' | 'giottoReplaceThing' | 'giottoUpdateKey';

type Outcome<O extends string> = { outcome: O; thingId: number };

/** ThingStore on Redis: each operation is one Lua script. */
export class RedisThingStore implements ThingStore {
  private constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly replicaWait: ReplicaWait | undefined,
  ) {}

  static create(redis: Redis, keys: RedisKeys, replicaWait?: ReplicaWait): RedisThingStore {
    for (const [name, [files, numberOfKeys]] of Object.entries(SCRIPTS)) defineScript(redis, name, files, numberOfKeys);
    return new RedisThingStore(redis, keys, replicaWait);
  }

  private run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    return guarded(() => runScript(this.redis, name, keys, args));
  }

  /** A script that may write; acknowledged after the replicas have it, when so configured. */
  private change<O extends string>(name: ScriptName, keys: string[], args: (string | number)[]): Promise<Outcome<O>> {
    return guarded(async () => {
      const [outcome, thingId] = (await runScript(this.redis, name, keys, args)) as [O, number];
      await waitForReplicas(this.redis, this.replicaWait);
      return { outcome, thingId: Number(thingId) };
    });
  }

  registerThing(input: { uuid: string; publicKeyJson: string; thumbprint: string; at: string }): Promise<Outcome<RegisterOutcome>> {
    const { keys } = this;
    return this.change(
      'giottoRegisterThing',
      [keys.thingByUuid(input.uuid), keys.thingSequence, keys.events],
      [keys.prefix, input.uuid, input.publicKeyJson, input.thumbprint, input.at],
    );
  }

  async findThing(uuid: string): Promise<StoredThing | undefined> {
    const row = (await this.run('giottoFindThing', [this.keys.thingByUuid(uuid)], [this.keys.prefix])) as string[] | null;
    if (!row) return undefined;
    const [thingId, storedUuid, publicKeyJson, thumbprint, registeredAt, updatedAt] = row as [string, string, string, string, string, string];
    return { thingId: Number(thingId), uuid: storedUuid, publicKeyJson, thumbprint, registeredAt, updatedAt };
  }

  async findThingById(thingId: number): Promise<StoredThing | undefined> {
    const uuid = await guarded(() => this.redis.hget(this.keys.thing(thingId), 'uuid'));
    return uuid ? this.findThing(uuid) : undefined;
  }

  /** Runs a signed change: the preamble's KEYS and ARGV first, then the script's own. */
  private signedChange(name: ScriptName, change: SignedChange, extraKeys: string[], extraArgs: string[]): Promise<Outcome<ChangeOutcome>> {
    const { keys } = this;
    return this.change(
      name,
      [keys.thingByUuid(change.uuid), keys.jti(change.jti), keys.events, ...extraKeys],
      [keys.prefix, change.uuid, change.signerThumbprint, change.at, JTI_LIFETIME_SECONDS, ...extraArgs],
    );
  }

  deregisterThing(change: SignedChange): Promise<Outcome<ChangeOutcome>> {
    return this.signedChange('giottoDeregisterThing', change, [], []);
  }

  replaceThing(change: SignedChange & { newUuid: string; newKey: NewKey }): Promise<Outcome<ChangeOutcome>> {
    const { newUuid, newKey } = change;
    return this.signedChange('giottoReplaceThing', change, [this.keys.thingByUuid(newUuid)], [newUuid, newKey.publicKeyJson, newKey.thumbprint]);
  }

  updateKey(change: SignedChange & { newKey: NewKey }): Promise<Outcome<ChangeOutcome>> {
    return this.signedChange('giottoUpdateKey', change, [], [change.newKey.publicKeyJson, change.newKey.thumbprint]);
  }
}
