import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { requireBinary, runCommand, TestMosquitto, TestRedis } from '@giotto/testkit';
import { createLogger, loadConfig, startApp, type RunningApp } from '@giotto/registry';

export const cliMain = resolve(import.meta.dirname, '../dist/main.js');

/** mosquitto, redis-server and the registry (in this process) for the CLI's end-to-end tests. */
export interface Stack {
  redis: TestRedis;
  mosquitto: TestMosquitto;
  app: RunningApp;
  /** A temporary folder for keys and frames (also the registry's data folder). */
  file(name: string): string;
  /** Runs the CLI against this stack's Redis. */
  cli(args: string[]): ReturnType<typeof runCommand>;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    env?: (file: (name: string) => string) => Record<string, string>;
    /** Runs before the registry starts (e.g. an operator makes the JWKS it will read). */
    before?: (file: (name: string) => string, cli: Stack['cli']) => Promise<void>;
  } = {},
): Promise<Stack> {
  requireBinary('mosquitto_pub', 'mosquitto-clients');
  const dir = mkdtempSync(join(tmpdir(), 'giotto-cli-'));
  const file = (name: string) => join(dir, name);
  const redis = await TestRedis.start();
  const mosquitto = await TestMosquitto.start();
  const cli: Stack['cli'] = (args) => runCommand('node', [cliMain, ...args], { env: { ...process.env, REDIS_URL: redis.url } });
  await options.before?.(file, cli);
  const config = loadConfig({
    MQTT_URL: mosquitto.url, REDIS_URL: redis.url, REGISTRY_DATA_DIR: dir, REGISTRY_CLIENT_ID: `cli-test-${randomUUID()}`, LOG_LEVEL: 'silent', HTTP_PORT: '0', ...options.env?.(file),
  });
  const app = await startApp(config, createLogger('silent'));
  return {
    redis, mosquitto, app, file, cli,
    async close() {
      await app.stop();
      await mosquitto.close();
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
