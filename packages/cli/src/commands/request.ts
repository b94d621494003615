import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { epochSeconds, isUuid, OPERATOR_KID_PREFIX, signRequest, type RequestTopic } from '@giotto/protocol';
import { readKeyFile, requireSigner, type KeyFile } from '../key-files.js';
import type { CliContext } from '../context.js';

function uuidArg(value: string): string {
  if (!isUuid(value)) throw new InvalidArgumentError('must be a UUID');
  return value;
}

interface Common {
  uuid: string;
  key: string;
  requestId?: string;
  operator?: string;
}

/** Signs with --key; with --operator the header names the operator and --key is the operator's key. */
async function signed(body: Record<string, unknown>, signer: KeyFile, operator: string | undefined): Promise<string> {
  const kid = operator !== undefined ? `${OPERATOR_KID_PREFIX}${operator}` : undefined;
  return signRequest(body, requireSigner(signer), { alg: signer.alg, ...(kid ? { kid } : {}) });
}

function stamp(options: Common): Record<string, unknown> {
  return { iat: epochSeconds(), jti: randomUUID(), ...(options.requestId ? { requestId: options.requestId } : {}) };
}

export function requestCommand(ctx: CliContext): Command {
  const request = new Command('request').description('build a request message, ready for mosquitto_pub -m (printed to stdout)');
  // The message itself, with or without --json: it is what mosquitto_pub -m takes (contract §6).
  const emit = (_topic: RequestTopic, message: string) => process.stdout.write(`${message}\n`);
  const common = (command: Command, keyHelp: string) =>
    command
      .requiredOption('--uuid <uuid>', 'the Thing\'s UUID', uuidArg)
      .requiredOption('--key <file>', keyHelp)
      .option('--request-id <id>', 'requestId to carry (echoed in the reply)')
      .option('--operator <name>', 'sign as this operator (kid "operator:<name>"); --key is then the operator\'s private JWK');

  common(request.command('register'), 'the Thing\'s JWK file (public, or private with --proof)')
    .description('a RegisterThingRequest: plain JSON, or with --proof a JWS signed by the key it registers')
    .option('--proof', 'send it as a proof of possession (needs the private JWK)')
    .action(async (options: Common & { proof?: boolean }) => {
      const key = await readKeyFile(options.key);
      const body: Record<string, unknown> = { type: 'RegisterThingRequest', uuid: options.uuid, publicKey: key.publicJwk };
      if (!options.proof) {
        emit('register', JSON.stringify({ ...body, ...(options.requestId ? { requestId: options.requestId } : {}) }));
        return;
      }
      emit('register', await signed({ ...body, ...stamp(options) }, key, undefined));
    });

  common(request.command('deregister'), 'the signer\'s private JWK (the Thing\'s, or the operator\'s)')
    .description('a signed DeregisterThingRequest')
    .action(async (options: Common) => {
      const body = { type: 'DeregisterThingRequest', uuid: options.uuid, ...stamp(options) };
      emit('deregister', await signed(body, await readKeyFile(options.key), options.operator));
    });

  common(request.command('replace'), 'the signer\'s private JWK (the old Thing\'s, or the operator\'s)')
    .description('a signed ReplaceThingRequest: the thingId moves to --new-uuid with --new-key')
    .requiredOption('--new-uuid <uuid>', 'the replacement Thing\'s UUID', uuidArg)
    .requiredOption('--new-key <file>', 'the replacement Thing\'s JWK file (public or private)')
    .action(async (options: Common & { newUuid: string; newKey: string }) => {
      const newKey = await readKeyFile(options.newKey);
      const body = { type: 'ReplaceThingRequest', uuid: options.uuid, newUuid: options.newUuid, newPublicKey: newKey.publicJwk, ...stamp(options) };
      emit('replace', await signed(body, await readKeyFile(options.key), options.operator));
    });

  common(request.command('update-key'), 'the signer\'s private JWK (the Thing\'s current key, or the operator\'s)')
    .description('a signed UpdateKeyRequest: the Thing\'s key becomes --new-key')
    .requiredOption('--new-key <file>', 'the new JWK file (public or private)')
    .action(async (options: Common & { newKey: string }) => {
      const newKey = await readKeyFile(options.newKey);
      const body = { type: 'UpdateKeyRequest', uuid: options.uuid, publicKey: newKey.publicJwk, ...stamp(options) };
      emit('update-key', await signed(body, await readKeyFile(options.key), options.operator));
    });

  return request;
}
