import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config from the environment', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.mqtt).toMatchObject({ url: undefined, embeddedHost: '127.0.0.1', embeddedPort: 1883 });
    expect(config.maxPayloadBytes).toBe(16_384);
    expect(config.redis.keyPrefix).toBe('giotto:{registry}:');
    expect(config.topicPrefix).toBe('');
    expect(config.signingKeyPath).toMatch(/\.data\/registry-signing-key\.jwk$/);
    expect(config.mqtt.clientId).toMatch(/^giotto-registry-/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every wrong variable at once, naming it and what is allowed', () => {
    const found = problems({ EMBEDDED_BROKER_PORT: 'abc', REGISTRY_MAX_PAYLOAD: '-1', MQTT_URL: 'http://x', LOG_LEVEL: 'loud', REDIS_URL: 'localhost:6379' });
    expect(found).toHaveLength(5);
    expect(found.find((p) => p.startsWith('EMBEDDED_BROKER_PORT:'))).toMatch(/"abc"/);
    expect(found.find((p) => p.startsWith('MQTT_URL:'))).toMatch(/mqtt:\/\//);
    expect(found.find((p) => p.startsWith('REDIS_URL:'))).toMatch(/redis:\/\//);
    expect(found.find((p) => p.startsWith('LOG_LEVEL:'))).toMatch(/info/);
    expect(found.find((p) => p.startsWith('REGISTRY_MAX_PAYLOAD:'))).toBeDefined();
  });

  it('refuses wildcards in the topic prefix and shared group', () => {
    expect(problems({ REGISTRY_TOPIC_PREFIX: 'a/#/' })[0]).toMatch(/^REGISTRY_TOPIC_PREFIX: .*wildcard/);
    expect(problems({ REGISTRY_SHARED_GROUP: 'a/b' })[0]).toMatch(/^REGISTRY_SHARED_GROUP:/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ MQTT_URL: '', REDIS_URL: '' }).mqtt.url).toBeUndefined();
  });

  it('reads the MQTT password from a file, and refuses both forms at once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'pw');
    writeFileSync(file, 's3cret\n');
    expect(loadConfig({ MQTT_PASSWORD_FILE: file }).mqtt.password).toBe('s3cret');
    expect(problems({ MQTT_PASSWORD_FILE: file, MQTT_PASSWORD: 'x' })[0]).toMatch(/^MQTT_PASSWORD_FILE: /);
    expect(problems({ MQTT_PASSWORD_FILE: '/nonexistent/pw' })[0]).toMatch(/cannot read/);
  });
});
