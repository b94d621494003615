import { statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@giotto/testkit';
import { cliMain, startStack, type Stack } from './stack.js';

describe('the operator CLI with mosquitto_pub / mosquitto_sub: every Thing operation', () => {
  let stack: Stack;
  const file = (name: string) => stack.file(name);
  const cli = async (...args: string[]): Promise<string> => {
    const result = await stack.cli(args);
    if (result.code !== 0) throw new Error(`giotto-registry ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout.trim();
  };

  /** Listens on a reply topic with mosquitto_sub, publishes with mosquitto_pub, returns the reply. */
  const roundTrip = async (topic: string, message: string, replyUuid: string): Promise<Record<string, unknown>> => {
    const port = String(stack.mosquitto.port);
    const sub = runCommand('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-t', `registry/reply/${replyUuid}`, '-C', '1', '-W', '10']);
    await new Promise((r) => setTimeout(r, 300));
    const pub = await runCommand('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-q', '1', '-t', topic, '-m', message]);
    expect(pub.code).toBe(0);
    const reply = await sub;
    expect(reply.code).toBe(0);
    return JSON.parse(reply.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    // The operators' JWKS is made by the CLI before the registry starts, as an operator would.
    stack = await startStack({
      env: (path) => ({ REGISTRY_OPERATOR_KEYS: path('operators.jwks') }),
      before: async (path, run) => {
        const made = await run(['operator', 'keygen', '--name', 'ops', '--out', path('ops.jwk'), '--jwks', path('operators.jwks')]);
        if (made.code !== 0) throw new Error(made.stderr);
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('keygen writes a 0600 private JWK and prints only the public key', async () => {
    const printed = JSON.parse(await cli('thing', 'keygen', '--out', file('probe.jwk'))) as Record<string, unknown>;
    expect(printed).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(printed).not.toHaveProperty('d');
    expect(statSync(file('probe.jwk')).mode & 0o777).toBe(0o600);
    const again = await runCommand('node', [cliMain, 'thing', 'keygen', '--out', file('probe.jwk')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot write/);
  });

  it('register → show → update-key → replace → deregister (by an operator), each built by the CLI', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await cli('thing', 'keygen', '--out', file('a.jwk'));
    const registered = await roundTrip('register', await cli('request', 'register', '--uuid', a, '--key', file('a.jwk'), '--request-id', 'cli-1'), a);
    expect(registered).toMatchObject({ type: 'RegisterThingResponse', uuid: a, requestId: 'cli-1' });
    const thingId = registered.thingId as number;

    const shown = JSON.parse(await cli('--json', 'thing', 'show', a)) as Record<string, unknown>;
    expect(shown).toMatchObject({ thingId, uuid: a });
    expect(JSON.parse(await cli('thing', 'show', String(thingId)))).toEqual(shown);

    const proof = await roundTrip('register', await cli('request', 'register', '--proof', '--uuid', a, '--key', file('a.jwk')), a);
    expect(proof).toMatchObject({ type: 'RegisterThingResponse', thingId });

    await cli('thing', 'keygen', '--out', file('a2.jwk'));
    const updated = await roundTrip('update-key', await cli('request', 'update-key', '--uuid', a, '--key', file('a.jwk'), '--new-key', file('a2.jwk')), a);
    expect(updated).toMatchObject({ type: 'UpdateKeyResponse', uuid: a, thingId });

    await cli('thing', 'keygen', '--out', file('b.jwk'));
    const replaced = await roundTrip(
      'replace',
      await cli('request', 'replace', '--uuid', a, '--new-uuid', b, '--key', file('a2.jwk'), '--new-key', file('b.jwk')),
      b,
    );
    expect(replaced).toMatchObject({ type: 'ReplaceThingResponse', oldUuid: a, uuid: b, thingId });

    const gone = await roundTrip('deregister', await cli('request', 'deregister', '--uuid', b, '--key', file('ops.jwk'), '--operator', 'ops'), b);
    expect(gone).toMatchObject({ type: 'DeregisterThingResponse', uuid: b, thingId });
    const missing = await stack.cli(['thing', 'show', b]);
    expect(missing.code).toBe(1);
  });

  it('exits 2 with a clear message on bad usage, and prints help', async () => {
    const bad = await runCommand('node', [cliMain, 'request', 'deregister', '--uuid', 'nope', '--key', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must be a UUID/);
    const help = await runCommand('node', [cliMain, 'request', 'replace', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--new-uuid/);
  });
});
