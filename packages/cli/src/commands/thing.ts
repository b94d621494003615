import { Command, InvalidArgumentError, Option } from 'commander';
import { isUuid, normalizeUuid, THING_KEY_ALGS, type ThingRecord } from '@giotto/protocol';
import type { StoredThing } from '@giotto/registry';
import { CliError } from '../cli-error.js';
import { generateKeyFile } from '../key-files.js';
import type { CliContext } from '../context.js';

export function parseBits(value: string): number {
  const bits = Number(value);
  if (!Number.isInteger(bits) || bits < 2048 || bits > 8192) throw new InvalidArgumentError('must be a whole number from 2048 to 8192');
  return bits;
}

export const algOption = () => new Option('--alg <alg>', 'signature algorithm').choices([...THING_KEY_ALGS]).default('RS256');
export const bitsOption = () => new Option('--bits <n>', 'RSA modulus size').argParser(parseBits).default(2048);

export function toRecord(thing: StoredThing): ThingRecord {
  return {
    thingId: thing.thingId,
    uuid: thing.uuid,
    publicKey: JSON.parse(thing.publicKeyJson) as Record<string, unknown>,
    thumbprint: thing.thumbprint,
    registeredAt: thing.registeredAt,
    updatedAt: thing.updatedAt,
  };
}

export function thingCommand(ctx: CliContext): Command {
  const thing = new Command('thing').description('Thing keys and records');

  thing
    .command('keygen')
    .description('make an RSA key pair for a Thing: the private JWK goes to --out (mode 0600), the public JWK is printed')
    .requiredOption('--out <file>', 'where to write the private JWK (never overwritten)')
    .addOption(algOption())
    .addOption(bitsOption())
    .action(async (options: { out: string; alg: (typeof THING_KEY_ALGS)[number]; bits: number }) => {
      const publicJwk = await generateKeyFile(options.out, { alg: options.alg, bits: options.bits });
      ctx.output().print(publicJwk);
    });

  thing
    .command('show')
    .description('print the stored record of a Thing (reads Redis at REDIS_URL)')
    .argument('<uuid-or-thingId>', 'the Thing\'s UUID or its numeric thingId')
    .action(async (which: string) => {
      const store = await ctx.store();
      const found = /^\d+$/.test(which)
        ? await store.findThingById(Number(which))
        : isUuid(which)
          ? await store.findThing(normalizeUuid(which))
          : (() => {
              throw new CliError(`"${which}" is neither a UUID nor a thingId`, 2);
            })();
      if (!found) throw new CliError(`no Thing ${which}`);
      ctx.output().print(toRecord(found));
    });

  return thing;
}
