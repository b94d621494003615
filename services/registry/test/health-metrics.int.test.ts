import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TestRedis, type MessageLog } from '@giotto/testkit';
import type { MqttClient } from 'mqtt';
import { makeThing, observer, startRegistry, type RegistryUnderTest } from './registry-under-test.js';

/** The value of one sample line of the Prometheus text, or 0 when absent. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('/healthz, /readyz and /metrics', () => {
  let redis: TestRedis;
  let registry: RegistryUnderTest;
  let client: MqttClient;
  let log: MessageLog;
  let base: string;

  beforeAll(async () => {
    redis = await TestRedis.start({ durable: true });
    const port = await freePort();
    registry = await startRegistry({ redis, env: { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' } });
    base = `http://127.0.0.1:${port}`;
    ({ client, log } = await observer(registry));
  });

  afterAll(async () => {
    await client?.endAsync();
    await registry?.stop();
    await redis?.close();
  });

  const metrics = async () => (await fetch(`${base}/metrics`)).text();

  it('/healthz answers, /readyz says ready, unknown paths are 404', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { mqtt: true, redis: true } });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('request counters and the latency histogram move as requests are served', async () => {
    const before = await metrics();
    const okBefore = sample(before, 'giotto_registry_requests_total', '{operation="register",outcome="ok"}');
    const badBefore = sample(before, 'giotto_registry_requests_total', '{operation="register",outcome="INVALID_REQUEST"}');
    const countBefore = sample(before, 'giotto_registry_request_duration_seconds_count', '{operation="register"}');
    const things = await Promise.all([1, 2, 3].map(() => makeThing()));
    for (const thing of things) {
      await client.publishAsync('register', thing.request(), { qos: 1 });
      await log.waitFor((m) => m.topic === `registry/reply/${thing.uuid}`);
    }
    await client.publishAsync('register', 'not json', { qos: 1 });
    await log.waitFor((m) => m.topic === 'registry/errors');
    await new Promise((r) => setTimeout(r, 50));
    const after = await metrics();
    expect(sample(after, 'giotto_registry_requests_total', '{operation="register",outcome="ok"}')).toBe(okBefore + 3);
    expect(sample(after, 'giotto_registry_requests_total', '{operation="register",outcome="INVALID_REQUEST"}')).toBe(badBefore + 1);
    expect(sample(after, 'giotto_registry_request_duration_seconds_count', '{operation="register"}')).toBe(countBefore + 4);
    expect(sample(after, 'giotto_registry_request_duration_seconds_bucket', '{le="2.5",operation="register"}')).toBe(countBefore + 4);
    expect(after).toMatch(/^giotto_registry_requests_in_flight 0$/m);
    expect(after).toMatch(/^giotto_registry_process_cpu_user_seconds_total /m);
  });

  it('/readyz turns unready when Redis stops and ready again after, counting the reconnect', async () => {
    const reconnectsBefore = sample(await metrics(), 'giotto_registry_reconnects_total', '{dependency="redis"}');
    await redis.stop('SIGKILL');
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ready: false, checks: { mqtt: true, redis: false } });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await redis.restart();
    const deadline = Date.now() + 10_000;
    let status = 503;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await fetch(`${base}/readyz`)).status;
    }
    expect(status).toBe(200);
    expect(sample(await metrics(), 'giotto_registry_reconnects_total', '{dependency="redis"}')).toBe(reconnectsBefore + 1);
  });
});
