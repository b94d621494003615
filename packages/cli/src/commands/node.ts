import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  buildRegistrationFrame,
  ENVELOPE_KINDS,
  NODE_ARCHS,
  NODE_TYPES,
  openReply,
  type EnvelopeKind,
  type NodeArchName,
  type NodeTypeName,
  type OaepHash,
} from '@giotto/protocol';
import type { StoredNode } from '@giotto/registry';
import { CliError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { nodeStore, uuidArgument } from './network.js';

function hexBytes(length: number) {
  return (value: string): Buffer => {
    if (!new RegExp(`^[0-9a-fA-F]{${length * 2}}$`).test(value)) throw new InvalidArgumentError(`must be ${length * 2} hex characters`);
    return Buffer.from(value, 'hex');
  };
}

/** What `node show` prints: the contract's fields, type and arch as their numeric codes. */
function nodeView(node: StoredNode) {
  const { nodeId, networkId, owner, name, nodeType, nodeArch, state } = node;
  return { nodeId, networkId, owner, name, nodeType, nodeArch, state };
}

export function nodeCommand(ctx: CliContext): Command {
  const node = new Command('node').description('nodes: list, show, revoke; build a request frame and open a reply');

  node
    .command('list')
    .description('list the nodes of a network')
    .argument('<networkId>', 'the network', uuidArgument)
    .action(async (networkId: string) => {
      const nodes = (await (await nodeStore(ctx)).listNodes(networkId)).map(nodeView);
      ctx.output().print({ nodes }, nodes.map((n) => `${n.nodeId}  ${n.state}  ${n.name}  type ${n.nodeType} arch ${n.nodeArch}`).join('\n'));
    });

  node
    .command('show')
    .description('print a node')
    .argument('<nodeId>', 'the node', uuidArgument)
    .action(async (nodeId: string) => {
      const found = await (await nodeStore(ctx)).getNode(nodeId);
      if (!found) throw new CliError(`no node ${nodeId}`);
      ctx.output().print(nodeView(found));
    });

  node
    .command('revoke')
    .description('revoke a node: its registrations are refused (403) from now on')
    .argument('<nodeId>', 'the node', uuidArgument)
    .action(async (nodeId: string) => {
      if (!(await (await nodeStore(ctx)).revokeNode(nodeId))) throw new CliError(`no node ${nodeId}`);
      ctx.output().print({ nodeId, state: 'revoked' });
    });

  node
    .command('frame')
    .description('build an encrypted registration frame into a file, for mosquitto_pub -f (as a node would)')
    .requiredOption('--public-key <file>', 'the registry\'s node public key (PEM, from registry/node-public-key)')
    .requiredOption('--network <networkId>', 'the network to join', uuidArgument)
    .requiredOption('--key <hex>', 'a one-time registration key of that network', hexBytes(16))
    .requiredOption('--out <file>', 'where to write the frame')
    .option('--node-id <uuid>', 'the node\'s id, if it has one', uuidArgument)
    .option('--node-key <hex>', 'the node\'s AES-256 key (default: a fresh random one, printed)', hexBytes(32))
    .addOption(new Option('--type <type>', 'node type').choices(Object.keys(NODE_TYPES)).default('device'))
    .addOption(new Option('--arch <arch>', 'node architecture').choices(Object.keys(NODE_ARCHS)).default('none'))
    .addOption(new Option('--hash <hash>', 'RSA-OAEP hash (NODE_OAEP_HASH of the registry)').choices(['sha256', 'sha1']).default('sha256'))
    .option('--token <token>', 'reply token, 8–64 of [A-Za-z0-9_-] (default: random)')
    .action(async (options: {
      publicKey: string; network: string; key: Buffer; out: string; nodeId?: string; nodeKey?: Buffer;
      type: NodeTypeName; arch: NodeArchName; hash: OaepHash; token?: string;
    }) => {
      let pem: string;
      try {
        pem = await readFile(options.publicKey, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${options.publicKey}: ${(err as Error).message}`);
      }
      const nodeKey = options.nodeKey ?? randomBytes(32);
      const token = options.token ?? randomBytes(12).toString('base64url');
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(token)) throw new CliError('--token must be 8–64 characters of [A-Za-z0-9_-]', 2);
      let frame: Uint8Array;
      try {
        frame = buildRegistrationFrame(
          { nodeId: options.nodeId, networkId: options.network, networkPhrase: options.key, nodeKey, nodeType: NODE_TYPES[options.type], nodeArch: NODE_ARCHS[options.arch] },
          pem,
          options.hash,
        );
      } catch (err) {
        throw new CliError(`cannot build the frame: ${(err as Error).message}`);
      }
      await writeFile(options.out, frame);
      const result = { file: options.out, token, topic: `nodes/register/${token}`, replyTopic: `nodes/register/${token}/reply`, nodeKey: nodeKey.toString('hex') };
      ctx.output().print(result, [`frame: ${options.out}`, `token: ${token}`, `publish on: ${result.topic}`, `reply on: ${result.replyTopic}`, `node key: ${result.nodeKey}`].join('\n'));
    });

  node
    .command('open-reply')
    .description('open a reply frame saved by mosquitto_sub: its status, and the node id of a 200')
    .requiredOption('--in <file>', 'the reply frame')
    .requiredOption('--node-key <hex>', 'the node\'s AES-256 key', hexBytes(32))
    .addOption(new Option('--envelope <kind>', 'NODE_ENVELOPE of the registry').choices([...ENVELOPE_KINDS]).default('ijam'))
    .option('--token <token>', 'the reply token (needed for the gcm envelope)', '')
    .action(async (options: { in: string; nodeKey: Buffer; envelope: EnvelopeKind; token: string }) => {
      let frame: Buffer;
      try {
        frame = await readFile(options.in);
      } catch (err) {
        throw new CliError(`cannot read ${options.in}: ${(err as Error).message}`);
      }
      let reply;
      try {
        reply = openReply(frame, options.nodeKey, { envelope: options.envelope, token: options.token });
      } catch (err) {
        throw new CliError(`cannot open the reply: ${(err as Error).message}`);
      }
      ctx.output().print(reply, 'nodeId' in reply ? `${reply.status} ${reply.nodeId}` : `${reply.status} ${reply.message}`);
      if (reply.status !== 200) process.exitCode = 1;
    });

  return node;
}
