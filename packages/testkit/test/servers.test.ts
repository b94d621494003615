import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectClient, MessageLog, TestMosquitto, TestRedis } from '../src/index.js';

function redisPing(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().trim());
    });
    socket.write('PING\r\n');
  });
}

describe('the test kit runs real servers', () => {
  it('starts redis-server on a free port, stops it and restarts it on the same port', async () => {
    const redis = await TestRedis.start();
    try {
      expect(await redisPing(redis.port)).toBe('+PONG');
      await redis.stop('SIGKILL');
      expect(redis.isRunning).toBe(false);
      await expect(redisPing(redis.port)).rejects.toThrow();
      await redis.restart();
      expect(await redisPing(redis.port)).toBe('+PONG');
    } finally {
      await redis.close();
    }
  });

  it('starts mosquitto that carries MQTT 5 and 3.1.1 messages', async () => {
    const broker = await TestMosquitto.start();
    try {
      const v5 = await connectClient(broker.url);
      const v4 = await connectClient(broker.url, { protocolVersion: 4 });
      const log = await MessageLog.subscribe(v5, 'kit/#');
      await v4.publishAsync('kit/hello', 'world', { qos: 1 });
      expect((await log.waitFor((m) => m.topic === 'kit/hello')).payload.toString()).toBe('world');
      await v5.endAsync();
      await v4.endAsync();
    } finally {
      await broker.close();
    }
  });
});
