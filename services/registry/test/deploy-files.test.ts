import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from 'yaml';
import { hasBinary, runCommand } from '@giotto/testkit';

const root = resolve(import.meta.dirname, '../../..');

describe('the deployable stack files', () => {
  it('docker-compose.yml: mosquitto with the shipped config, durable Redis, the registry built here with a health check', async () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { image?: string; build?: string; command?: string[]; volumes?: string[]; environment?: Record<string, string>; depends_on?: unknown }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['mosquitto', 'redis', 'registry']);
    expect(compose.services.mosquitto!.volumes).toContain('./mosquitto.conf:/mosquitto/config/mosquitto.conf:ro');
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--appendfsync', 'always', '--hash-max-listpack-value', '1024']));
    expect(readFileSync(join(root, 'scripts/local-redis.sh'), 'utf8')).toMatch(/--hash-max-listpack-value 1024/);
    const registry = compose.services.registry!;
    expect(registry.build).toBe('.');
    expect(registry.environment).toMatchObject({ MQTT_URL: 'mqtt://mosquitto:1883', REDIS_URL: 'redis://redis:6379', MQTT_USERNAME: 'registry' });
    // Every file the compose file mounts is in the repository (the password files are made by a script).
    for (const volume of Object.values(compose.services).flatMap((s) => s.volumes ?? [])) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./') && !source.endsWith('passwd')) expect(() => readFileSync(join(root, source))).not.toThrow();
    }
    if (hasBinary('docker') && (await runCommand('docker', ['compose', 'version'])).code === 0) {
      const check = await runCommand('docker', ['compose', '-f', join(root, 'docker-compose.yml'), 'config', '--quiet'], { cwd: root });
      expect(check.stderr).toBe('');
    }
  });

  it('Dockerfile: multi-stage, production dependencies only, non-root, a HEALTHCHECK on /healthz', async () => {
    const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const dockerfile = DockerfileParser.parse(text);
    const froms = dockerfile.getFROMs();
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const instructions = dockerfile.getInstructions();
    const lastFrom = instructions.lastIndexOf(froms[froms.length - 1]!);
    const runtime = instructions.slice(lastFrom);
    const keyword = (name: string) => runtime.filter((i) => i.getKeyword() === name);
    expect(keyword('USER').map((i) => i.getArgumentsContent())).toEqual(['node']);
    expect(keyword('HEALTHCHECK')[0]!.getArgumentsContent()).toMatch(/\/healthz/);
    expect(keyword('CMD')).toHaveLength(1);
    expect(text).toMatch(/pnpm deploy --filter=@giotto\/registry --prod/);
    // Every COPY of the build stage names something that exists.
    for (const copy of instructions.slice(0, lastFrom).filter((i) => i.getKeyword() === 'COPY')) {
      const args = copy.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
      for (const source of args.slice(0, -1)) expect(() => readFileSync(join(root, source))).not.toThrow(/ENOENT/);
    }
    if (hasBinary('hadolint')) expect((await runCommand('hadolint', [join(root, 'Dockerfile')])).code).toBe(0);
  });
});
