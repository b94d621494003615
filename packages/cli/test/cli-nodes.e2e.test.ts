import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@giotto/testkit';
import { cliMain, startStack, type Stack } from './stack.js';

describe('an operator sets up a network and a node registers, all through the CLI and the mosquitto binaries', () => {
  let stack: Stack;
  const file = (name: string) => stack.file(name);

  const cli = async (...args: string[]): Promise<Record<string, unknown>> => {
    const result = await stack.cli(['--json', ...args]);
    if (result.code !== 0) throw new Error(`giotto-registry ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const port = () => String(stack.mosquitto.port);

  /** What a node does: subscribe to its reply topic, publish the frame file, save the reply to a file. */
  const registerWithFrame = async (frame: { file: string; topic: string; replyTopic: string }, replyFile: string) => {
    const sub = runCommand('sh', ['-c', `mosquitto_sub -h 127.0.0.1 -p ${port()} -t '${frame.replyTopic}' -C 1 -N -W 10 > '${replyFile}'`]);
    await new Promise((r) => setTimeout(r, 300));
    const pub = await runCommand('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-q', '1', '-t', frame.topic, '-f', frame.file]);
    expect(pub.code).toBe(0);
    expect((await sub).code).toBe(0);
  };

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('network create → mint-keys → node frame → mosquitto_pub -f → mosquitto_sub → node open-reply → node show / revoke', async () => {
    // The registry's node public key, as an operator fetches it.
    const pem = await runCommand('mosquitto_sub', ['-h', '127.0.0.1', '-p', port(), '-t', 'registry/node-public-key', '-C', '1', '-W', '5']);
    writeFileSync(file('registry-node.pem'), pem.stdout);
    expect(pem.stdout).toMatch(/BEGIN PUBLIC KEY/);

    const { networkId } = (await cli('network', 'create', '--owner', 'alice', '--name', 'home')) as { networkId: string };
    const { keys } = (await cli('network', 'mint-keys', networkId, '--count', '3', '--ttl', '3600')) as { keys: string[] };
    expect(keys).toHaveLength(3);
    expect((await cli('network', 'keys', networkId)).keys).toHaveLength(3);
    expect(await cli('network', 'revoke-key', networkId, keys[2]!)).toMatchObject({ revoked: true });

    const frame = (await cli('node', 'frame', '--public-key', file('registry-node.pem'), '--network', networkId, '--key', keys[0]!,
      '--type', 'device', '--arch', 'esp_32', '--out', file('frame.bin'))) as { file: string; topic: string; replyTopic: string; nodeKey: string; token: string };
    expect(readFileSync(file('frame.bin')).length).toBe(256);
    await registerWithFrame(frame, file('reply.bin'));
    expect(readFileSync(file('reply.bin')).length).toBe(50);

    const opened = (await cli('node', 'open-reply', '--in', file('reply.bin'), '--node-key', frame.nodeKey)) as { status: number; nodeId: string };
    expect(opened.status).toBe(200);
    expect(await cli('node', 'show', opened.nodeId)).toEqual({
      nodeId: opened.nodeId, networkId, owner: 'alice', name: 'node', nodeType: 2, nodeArch: 32, state: 'offline',
    });
    expect((await cli('node', 'list', networkId)).nodes).toHaveLength(1);

    // The key is used up: the same frame again is a 404, which open-reply reports with exit code 1.
    await registerWithFrame(frame, file('reply2.bin'));
    const again = await runCommand('node', [cliMain, 'node', 'open-reply', '--in', file('reply2.bin'), '--node-key', frame.nodeKey]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^404 /);

    // Revoked: the node's next registration (with a fresh key) is refused.
    expect(await cli('node', 'revoke', opened.nodeId)).toEqual({ nodeId: opened.nodeId, state: 'revoked' });
    const retry = (await cli('node', 'frame', '--public-key', file('registry-node.pem'), '--network', networkId, '--key', keys[1]!,
      '--node-id', opened.nodeId, '--node-key', frame.nodeKey, '--out', file('frame3.bin'))) as typeof frame;
    await registerWithFrame(retry, file('reply3.bin'));
    const refused = await runCommand('node', [cliMain, '--json', 'node', 'open-reply', '--in', file('reply3.bin'), '--node-key', frame.nodeKey]);
    expect(JSON.parse(refused.stdout)).toEqual({ status: 403, message: 'node revoked' });
  });

  it('refuses bad input with exit code 2 or 1 and a clear message', async () => {
    const badKey = await runCommand('node', [cliMain, 'network', 'mint-keys', randomUUID(), '--count', '0']);
    expect(badKey.code).toBe(2);
    const noNetwork = await stack.cli(['network', 'keys', randomUUID()]);
    expect(noNetwork.code).toBe(1);
    expect(noNetwork.stderr).toMatch(/no network/);
  });
});
