import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { OPERATOR_KID_PREFIX, THING_KEY_ALGS } from '@giotto/protocol';
import { CliError } from '../cli-error.js';
import { generateKeyFile } from '../key-files.js';
import type { CliContext } from '../context.js';
import { algOption, bitsOption } from './thing.js';

async function addToJwks(path: string, jwk: Record<string, unknown>): Promise<void> {
  let jwks: { keys: Record<string, unknown>[] } = { keys: [] };
  try {
    jwks = JSON.parse(await readFile(path, 'utf8')) as typeof jwks;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(jwks.keys)) throw new CliError(`${path} is not a JWKS ({ "keys": [ … ] })`);
  if (jwks.keys.some((k) => k.kid === jwk.kid)) throw new CliError(`${path} already has a key ${String(jwk.kid)}`);
  jwks.keys.push(jwk);
  await writeFile(path, `${JSON.stringify(jwks, null, 2)}\n`);
}

export function operatorCommand(ctx: CliContext): Command {
  const operator = new Command('operator').description('operator keys (REGISTRY_OPERATOR_KEYS)');
  operator
    .command('keygen')
    .description('make an operator key pair: private JWK to --out (mode 0600), public JWK added to --jwks and printed')
    .requiredOption('--name <name>', 'operator name; requests signed with it carry kid "operator:<name>"')
    .requiredOption('--out <file>', 'where to write the private JWK (never overwritten)')
    .option('--jwks <file>', 'the operators\' JWKS file to add the public key to (created if absent)')
    .addOption(algOption())
    .addOption(bitsOption())
    .action(async (options: { name: string; out: string; jwks?: string; alg: (typeof THING_KEY_ALGS)[number]; bits: number }) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(options.name)) throw new CliError('--name: 1–64 characters of letters, digits, ".", "_" or "-"', 2);
      const kid = `${OPERATOR_KID_PREFIX}${options.name}`;
      const publicJwk = await generateKeyFile(options.out, { alg: options.alg, bits: options.bits, kid });
      if (options.jwks) await addToJwks(options.jwks, { ...publicJwk });
      ctx.output().print(publicJwk);
    });
  return operator;
}
