import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { Topics } from '@giotto/protocol';

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * What the service prints once it serves: where it listens and a mosquitto_sub / mosquitto_pub
 * pair that registers a freshly made sample Thing, ready to paste.
 */
export async function startBanner(options: { mqttUrl: string; embedded: boolean; redisUrl: string; topics: Topics }): Promise<string> {
  const { publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  const uuid = randomUUID();
  const request = JSON.stringify({ type: 'RegisterThingRequest', uuid, publicKey: jwk, requestId: 'hello-1' });
  const url = new URL(options.mqttUrl);
  const hostArgs = `-h ${url.hostname} -p ${url.port || 1883}${options.embedded ? ' -V mqttv311' : ''}`;
  const redis = new URL(options.redisUrl);
  redis.password = redis.password ? '***' : '';
  return [
    '',
    `GIoTTo Registry is serving.`,
    `  MQTT:  ${options.mqttUrl}${options.embedded ? '  (embedded aedes broker, MQTT 3.1.1)' : ''}`,
    `  Redis: ${redis.toString()}`,
    '',
    'Register a sample Thing (run the first line in one terminal, the second in another):',
    `  mosquitto_sub ${hostArgs} -t ${shellQuote(options.topics.reply(uuid))} -v`,
    `  mosquitto_pub ${hostArgs} -q 1 -t ${shellQuote(options.topics.request('register'))} -m ${shellQuote(request)}`,
    '',
  ].join('\n');
}
