import mqtt, { type MqttClient } from 'mqtt';

export interface LoadResult {
  completed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Replies that were Errors (by code), e.g. RATE_LIMITED would show the bench is misconfigured. */
  errors: Record<string, number>;
}

/** One request of a run: where to publish, what, and the reply topic that answers it. */
export interface BenchRequest {
  topic: string;
  payload: string | Buffer;
  replyTopic: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * N simulated Things over a few connections: each sends its next request as soon as the reply to
 * the last one arrived, for `seconds`, or until the requests run out. Measures round trips.
 */
export async function runLoad(options: {
  url: string;
  replyFilter: string;
  requests: BenchRequest[];
  concurrency: number;
  seconds: number;
  connections?: number;
}): Promise<LoadResult> {
  const connections = options.connections ?? 4;
  const clients: MqttClient[] = [];
  const waiting = new Map<string, (payload: Buffer) => void>();
  for (let i = 0; i < connections; i++) {
    const client = await mqtt.connectAsync(options.url, { protocolVersion: 5, clean: true, clientId: `bench-load-${process.pid}-${i}` });
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    client.on('message', (topic, payload) => {
      const resolve = waiting.get(topic);
      if (resolve) {
        waiting.delete(topic);
        resolve(payload);
      }
    });
    await client.subscribeAsync(options.replyFilter, { qos: 1 });
    clients.push(client);
  }
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const worker = async (index: number) => {
    const client = clients[index % clients.length]!;
    while (performance.now() < deadline && next < options.requests.length) {
      const request = options.requests[next++]!;
      const t0 = performance.now();
      const reply = new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(request.replyTopic);
          resolve(undefined);
        }, 10_000);
        waiting.set(request.replyTopic, (payload) => {
          clearTimeout(timer);
          resolve(payload);
        });
      });
      await client.publishAsync(request.topic, request.payload, { qos: 1 });
      const payload = await reply;
      if (!payload) {
        errors.TIMEOUT = (errors.TIMEOUT ?? 0) + 1;
        continue;
      }
      latencies.push(performance.now() - t0);
      if (payload[0] === 0x7b && payload.includes('"type":"Error"')) {
        const code = /"code":"([A-Z_]+)"/.exec(payload.toString())?.[1] ?? 'ERROR';
        errors[code] = (errors[code] ?? 0) + 1;
      } else if (payload[0] !== 0x7b && payload.readUInt16LE(0) !== 200) {
        const status = String(payload.readUInt16LE(0));
        errors[status] = (errors[status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) await client.endAsync(true);
  latencies.sort((a, b) => a - b);
  return { completed: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors };
}
