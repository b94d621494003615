import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary } from '@giotto/testkit';
import { registerThingResponseSchema } from '@giotto/protocol';

const root = resolve(import.meta.dirname, '../../..');

function run(command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${command.slice(0, 80)}… exited ${code}: ${err}`));
    });
  });
}

describe('the README start command, driven by the mosquitto CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'giotto-e2e-'));
  let env: NodeJS.ProcessEnv;
  let service: ChildProcess;
  let stderr = '';

  beforeAll(async () => {
    requireBinary('mosquitto_pub', 'mosquitto-clients');
    env = {
      ...process.env,
      REDIS_URL: '',
      MQTT_URL: '',
      REGISTRY_DATA_DIR: dataDir,
      EMBEDDED_BROKER_PORT: String(await freePort()),
      LOCAL_REDIS_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    service = spawn('sh', ['scripts/start.sh'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout!.resume();
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`no banner within 120 s:\n${stderr}`)), 120_000);
      service.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('mosquitto_pub')) {
          clearTimeout(timer);
          ready();
        }
      });
      service.once('exit', (code) => fail(new Error(`start.sh exited ${code}:\n${stderr}`)));
    });
  }, 150_000);

  afterAll(() => {
    if (service.exitCode === null) service.kill('SIGKILL');
    execFileSync('sh', ['scripts/local-redis.sh', 'stop'], { cwd: root, env, stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the registration its banner shows, pasted into mosquitto_sub and mosquitto_pub', async () => {
    const sub = stderr.split('\n').find((l) => l.trim().startsWith('mosquitto_sub'))!.trim();
    const pub = stderr.split('\n').find((l) => l.trim().startsWith('mosquitto_pub'))!.trim();
    const received = run(`${sub} -C 1 -W 15`, 20_000);
    await new Promise((r) => setTimeout(r, 500)); // let mosquitto_sub subscribe first
    await run(pub, 10_000);
    const line = (await received).trim();
    const [topic, ...rest] = line.split(' ');
    expect(topic).toMatch(/^registry\/reply\/[0-9a-f-]{36}$/);
    const reply = registerThingResponseSchema.parse(JSON.parse(rest.join(' ')));
    expect(reply).toMatchObject({ thingId: 1, requestId: 'hello-1' });
    expect(topic).toBe(`registry/reply/${reply.uuid}`);
  });

  it('answers /healthz and /readyz on its HTTP port', async () => {
    expect((await fetch(`http://127.0.0.1:${env.HTTP_PORT}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, checks: { mqtt: true, redis: true } });
  });

  it('keeps its keys in files of mode 0600', () => {
    expect(statSync(join(dataDir, 'node-rsa-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'registry-signing-key.jwk')).mode & 0o777).toBe(0o600);
  });

  it('stops on SIGTERM with exit code 0, publishing status "offline" first', async () => {
    // The retained "online", then "offline" as the service stops (its embedded broker goes with it).
    const statuses = run(`mosquitto_sub -h 127.0.0.1 -p ${env.EMBEDDED_BROKER_PORT} -V mqttv311 -t registry/status -C 2 -W 10 || true`, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise<number | null>((r) => service.once('exit', (code) => r(code)));
    service.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await statuses).trim().split('\n')).toEqual(['online', 'offline']);
    expect(stderr).not.toMatch(/"d":/);
  });
});
