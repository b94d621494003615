import { randomBytes, randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { isUuid, isValidRegistrationKey, mintRegistrationKey } from '@giotto/protocol';
import { RedisNodeStore } from '@giotto/registry';
import { CliError } from '../cli-error.js';
import type { CliContext } from '../context.js';

export function uuidArgument(value: string): string {
  if (!isUuid(value)) throw new InvalidArgumentError('must be a UUID');
  return value.toLowerCase();
}

function positive(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

export async function nodeStore(ctx: CliContext): Promise<RedisNodeStore> {
  return RedisNodeStore.create(await ctx.redis(), ctx.keys());
}

async function existingNetwork(ctx: CliContext, networkId: string): Promise<RedisNodeStore> {
  const store = await nodeStore(ctx);
  if (!(await store.networkExists(networkId))) throw new CliError(`no network ${networkId}`);
  return store;
}

export function networkCommand(ctx: CliContext): Command {
  const network = new Command('network').description('networks and their one-time registration keys (reads/writes Redis at REDIS_URL)');

  network
    .command('create')
    .description('create a network for an owner')
    .requiredOption('--owner <user>', 'the user who owns the network and every node registered into it')
    .option('--name <name>', 'a label', 'network')
    .action(async (options: { owner: string; name: string }) => {
      const networkId = randomUUID();
      await (await nodeStore(ctx)).createNetwork({ networkId, owner: options.owner, name: options.name, at: new Date() });
      ctx.output().print({ networkId }, networkId);
    });

  network
    .command('mint-keys')
    .description('mint one-time registration keys (16 bytes, hex) that pass the checksum rule')
    .argument('<networkId>', 'the network', uuidArgument)
    .option('--count <n>', 'how many', positive(10_000), 1)
    .option('--ttl <seconds>', 'each key expires this long after minting', positive(10 * 365 * 86_400))
    .action(async (networkId: string, options: { count: number; ttl?: number }) => {
      const store = await existingNetwork(ctx, networkId);
      const keys = Array.from({ length: options.count }, () => Buffer.from(mintRegistrationKey((n) => randomBytes(n))).toString('hex'));
      await store.addRegistrationKeys(networkId, keys, options.ttl === undefined ? undefined : Date.now() + options.ttl * 1000);
      ctx.output().print({ keys }, keys.join('\n'));
    });

  network
    .command('keys')
    .description('list the unused, unexpired registration keys of a network')
    .argument('<networkId>', 'the network', uuidArgument)
    .action(async (networkId: string) => {
      const keys = await (await existingNetwork(ctx, networkId)).listRegistrationKeys(networkId, Date.now());
      ctx.output().print({ keys }, keys.map((k) => (k.expiresAt ? `${k.key}  expires ${k.expiresAt}` : k.key)).join('\n'));
    });

  network
    .command('revoke-key')
    .description('withdraw an unused registration key')
    .argument('<networkId>', 'the network', uuidArgument)
    .argument('<key>', 'the key, 32 hex characters')
    .action(async (networkId: string, key: string) => {
      if (!/^[0-9a-fA-F]{32}$/.test(key) || !isValidRegistrationKey(Buffer.from(key, 'hex'))) throw new CliError('<key> must be a registration key: 32 hex characters', 2);
      const revoked = await (await existingNetwork(ctx, networkId)).revokeRegistrationKey(networkId, key.toLowerCase());
      if (!revoked) throw new CliError(`network ${networkId} has no unused key ${key}`);
      ctx.output().print({ networkId, key: key.toLowerCase(), revoked: true }, `revoked ${key}`);
    });

  return network;
}
