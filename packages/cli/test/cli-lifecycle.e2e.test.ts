import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, runCommand, TestMosquitto, TestRedis } from '@giotto/testkit';
import { createLogger, loadConfig, startApp, type RunningApp } from '@giotto/registry';

const cliMain = resolve(import.meta.dirname, '../dist/main.js');

describe('the operator CLI with mosquitto_pub / mosquitto_sub: every Thing operation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'giotto-cli-'));
  let redis: TestRedis;
  let mosquitto: TestMosquitto;
  let app: RunningApp;
  const file = (name: string) => join(dir, name);

  const cli = async (...args: string[]): Promise<string> => {
    const result = await runCommand('node', [cliMain, ...args], { env: { ...process.env, REDIS_URL: redis.url } });
    if (result.code !== 0) throw new Error(`giotto-registry ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout.trim();
  };

  /** Listens on a reply topic with mosquitto_sub, publishes with mosquitto_pub, returns the reply. */
  const roundTrip = async (topic: string, message: string, replyUuid: string): Promise<Record<string, unknown>> => {
    const port = String(mosquitto.port);
    const sub = runCommand('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-t', `registry/reply/${replyUuid}`, '-C', '1', '-W', '10']);
    await new Promise((r) => setTimeout(r, 300));
    const pub = await runCommand('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-q', '1', '-t', topic, '-m', message]);
    expect(pub.code).toBe(0);
    const reply = await sub;
    expect(reply.code).toBe(0);
    return JSON.parse(reply.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    requireBinary('mosquitto_pub', 'mosquitto-clients');
    redis = await TestRedis.start();
    mosquitto = await TestMosquitto.start();
    await cli('operator', 'keygen', '--name', 'ops', '--out', file('ops.jwk'), '--jwks', file('operators.jwks'));
    const config = loadConfig({
      MQTT_URL: mosquitto.url,
      REDIS_URL: redis.url,
      REGISTRY_DATA_DIR: dir,
      REGISTRY_OPERATOR_KEYS: file('operators.jwks'),
      REGISTRY_CLIENT_ID: `cli-test-${randomUUID()}`,
      LOG_LEVEL: 'silent',
    });
    app = await startApp(config, createLogger('silent'));
  });

  afterAll(async () => {
    await app?.stop();
    await mosquitto?.close();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
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
    const missing = await runCommand('node', [cliMain, 'thing', 'show', b], { env: { ...process.env, REDIS_URL: redis.url } });
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
