#!/usr/bin/env node
// pnpm bench [--quick]: mosquitto, Redis, K registry instances and a load generator on loopback;
// every figure of one run, as ratios to what the broker alone carries. See docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { RedisKeys, RedisNodeStore } from '@giotto/registry';
import { TestMosquitto, TestRedis } from '@giotto/testkit';
import { withCpu } from './cpu-accounting.js';
import { runLoad, type LoadResult } from './load-generator.js';
import { redisBytesPerThing, rsaDecryptsPerSecond } from './measurements.js';
import { RegistryInstance, startCeiling } from './registry-processes.js';
import { makeKeys, newThingRequests, nodeRequests, repeatRequests, updateKeyRequests } from './scenarios.js';

const program = new Command('bench')
  .option('--quick', 'short runs and 10 000 Things for the memory figure (CI smoke test, < 2 minutes)')
  .option('--concurrency <n>', 'simulated Things in flight', (v) => Number(v), 100)
  .option('--write <file>', 'write the results section into this markdown file')
  .option('--only <scenario>', 'run only the ceiling and one scenario: new or nodes (for profiling with BENCH_PROFILE_DIR)')
  .parse();
const opts = program.opts<{ quick?: boolean; concurrency: number; write?: string; only?: string }>();
const SECONDS = opts.quick ? 3 : 10;
const MEMORY_THINGS = opts.quick ? 10_000 : 100_000;
const C = opts.concurrency;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const benchEnv = {
  // No session outlives its instance: a stopped instance would stay in the shared group.
  MQTT_SESSION_EXPIRY_SECONDS: '0',
  REGISTRY_RATE_LIMIT_PER_SECOND: '1000000',
  REGISTRY_RATE_LIMIT_PER_THING_PER_MINUTE: '1000000',
  REGISTRY_RATE_LIMIT_PER_THING_BURST: '1000000',
  NODE_RATE_LIMIT_PER_SECOND: '1000000',
  NODE_MAX_PENDING: '100000',
  REGISTRY_MAX_IN_FLIGHT: '10000',
};

interface Row {
  name: string;
  result: LoadResult;
  ratio?: number;
  /** CPU seconds each process used during the scenario. */
  cpu: Record<string, number>;
}

const rows: Row[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

let pids: Record<string, number | undefined> = {};

/** One timed scenario, with the CPU each process used during it. */
async function measure(name: string, options: Parameters<typeof runLoad>[0], ceiling?: LoadResult): Promise<LoadResult> {
  const { result, cpu } = await withCpu(pids, () => runLoad(options));
  rows.push({ name, result, cpu, ...(ceiling ? { ratio: result.perSecond / ceiling.perSecond } : {}) });
  return result;
}

async function main(): Promise<void> {
  log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB; ${SECONDS} s per scenario, ${C} in flight`);
  const mosquitto = await TestMosquitto.start({ config: 'max_inflight_messages 0\nmax_queued_messages 1000000\n' });
  cleanups.push(() => mosquitto.close());
  // As docker-compose.yml and pnpm start run Redis: hashes with values up to 1 KiB stay compact.
  const compact = ['--hash-max-listpack-value', '1024'];
  const redis = await TestRedis.start({ extraArgs: compact });
  cleanups.push(() => redis.close());
  const durableRedis = await TestRedis.start({ durable: true, extraArgs: compact });
  cleanups.push(() => durableRedis.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'giotto-bench-'));
  const keys = await makeKeys(8);
  const enough = (rate: number) => Math.ceil(rate * SECONDS * 1.5) + 1000;

  // 1. The ceiling: the broker with a bare responder.
  log('ceiling: bare responder …');
  const ceilingProcess = await startCeiling(mosquitto.url, 'ceiling/');
  pids = { mosquitto: mosquitto.pid, redis: redis.pid, responder: ceilingProcess.pid, 'load generator': process.pid };
  const ceiling = await measure('ceiling: bare responder (parse + reply)', { url: mosquitto.url, replyFilter: 'ceiling/registry/reply/+', requests: newThingRequests(enough(40_000), keys, 'ceiling/').requests, concurrency: C, seconds: SECONDS });
  ceilingProcess.kill('SIGTERM');
  const ratio = (r: LoadResult) => r.perSecond / ceiling.perSecond;
  log(`ceiling ${fmt(ceiling.perSecond)} round trips/s`);

  // 2. One instance: new Things, repeats, signed UpdateKey, nodes.
  const env = (redisUrl: string, id: string) => ({ ...benchEnv, MQTT_URL: mosquitto.url, REDIS_URL: redisUrl, REGISTRY_DATA_DIR: dataDir, REGISTRY_CLIENT_ID: id, REGISTRY_SHARED_GROUP: 'bench' });
  let one = await RegistryInstance.start(env(redis.url, `bench-1-${randomUUID()}`));
  cleanups.push(() => one.stop());
  pids = { mosquitto: mosquitto.pid, redis: redis.pid, 'registry 1': one.child.pid, 'load generator': process.pid };
  if (opts.only === 'nodes') {
    const { cpu } = await withCpu(pids, () => runNodes());
    process.stdout.write(`registry CPU during the node run: ${fmt(cpu['registry 1']!, 2)} s\n`);
    await one.stop();
    return;
  }
  log('1 instance: new Things …');
  const fresh = newThingRequests(enough(20_000), keys);
  const newOne = await measure('new-Thing registration, 1 instance', { url: mosquitto.url, replyFilter: 'registry/reply/+', requests: fresh.requests, concurrency: C, seconds: SECONDS }, ceiling);
  log(`  ${fmt(newOne.perSecond)}/s, p99 ${fmt(newOne.p99Ms, 1)} ms`);
  if (opts.only === 'new') {
    await one.stop();
    process.stdout.write(`new-Thing ${fmt(newOne.perSecond)}/s = ${fmt(ratio(newOne), 2)} × ceiling ${fmt(ceiling.perSecond)}/s; p50 ${fmt(newOne.p50Ms, 1)} ms, p99 ${fmt(newOne.p99Ms, 1)} ms\n`);
    return;
  }

  log('1 instance: repeat registrations …');
  const registered = fresh.uuids.slice(0, newOne.completed);
  const repeat = await measure('repeat registration (idempotent), 1 instance', { url: mosquitto.url, replyFilter: 'registry/reply/+', requests: repeatRequests(registered, keys, enough(20_000)), concurrency: C, seconds: SECONDS }, ceiling);
  log(`  ${fmt(repeat.perSecond)}/s`);

  log('1 instance: signed UpdateKey (pre-signing) …');
  const pairs = await makeKeys(2);
  const things = registered.slice(0, Math.max(4 * C, 100)).map((uuid) => ({ uuid, keys: [pairs[0]!, pairs[1]!] as [typeof pairs[0], typeof pairs[0]] }));
  // The Things must hold key 0 first: register them with it under fresh ids.
  for (const t of things) t.uuid = randomUUID();
  await runLoad({ url: mosquitto.url, replyFilter: 'registry/reply/+', concurrency: C, seconds: 60,
    requests: things.map((t) => ({ topic: 'register', payload: JSON.stringify({ type: 'RegisterThingRequest', uuid: t.uuid, publicKey: pairs[0]!.publicJwk }), replyTopic: `registry/reply/${t.uuid}` })) });
  const steps = Math.ceil(enough(3000) / things.length);
  const signed = await updateKeyRequests(things, steps, (n) => n % 2000 < things.length && log(`  signed ${n}`));
  const updateKey = await measure('signed UpdateKey, 1 instance', { url: mosquitto.url, replyFilter: 'registry/reply/+', requests: signed, concurrency: C, seconds: SECONDS }, ceiling);
  log(`  ${fmt(updateKey.perSecond)}/s`);

  const nodes = await runNodes();
  async function runNodes() {
  log('1 instance: node registrations …');
  const storeConnection = new Redis(redis.url);
  cleanups.push(async () => storeConnection.disconnect());
  const nodeStore = RedisNodeStore.create(storeConnection, new RedisKeys('giotto:{registry}:'));
  const networkId = randomUUID();
  await nodeStore.createNetwork({ networkId, owner: 'bench', name: 'bench', at: new Date() });
  const publicPem = readFileSync(join(dataDir, 'node-rsa-key.pem'), 'utf8');
  const { createPublicKey } = await import('node:crypto');
  const frames = nodeRequests(networkId, createPublicKey(publicPem).export({ format: 'pem', type: 'spki' }).toString(), enough(1500));
  for (let i = 0; i < frames.keys.length; i += 5000) await nodeStore.addRegistrationKeys(networkId, frames.keys.slice(i, i + 5000), undefined);
  const nodes = await measure('node registration, 1 instance', { url: mosquitto.url, replyFilter: 'nodes/register/+/reply', requests: frames.requests, concurrency: C, seconds: SECONDS }, ceiling);
  const rsa = rsaDecryptsPerSecond(2048, opts.quick ? 1 : 3);
  log(`  ${fmt(nodes.perSecond)}/s; one core decrypts ${fmt(rsa)} RSA-2048 OAEP blocks/s`);
  return Object.assign(nodes, { rsa });
  }
  const rsa = nodes.rsa;

  // 3. Two instances sharing the load.
  log('2 instances: new Things …');
  const two = await RegistryInstance.start(env(redis.url, `bench-2-${randomUUID()}`));
  cleanups.push(() => two.stop());
  pids = { ...pids, 'registry 2': two.child.pid };
  const newTwo = await measure('new-Thing registration, 2 instances', { url: mosquitto.url, replyFilter: 'registry/reply/+', requests: newThingRequests(enough(20_000), keys).requests, concurrency: C, seconds: SECONDS }, ceiling);
  log(`  ${fmt(newTwo.perSecond)}/s`);
  await two.stop();
  await one.stop();

  // 4. Durable Redis (appendfsync always), one instance.
  log('1 instance, Redis appendfsync always: new Things …');
  one = await RegistryInstance.start(env(durableRedis.url, `bench-d-${randomUUID()}`));
  pids = { mosquitto: mosquitto.pid, redis: durableRedis.pid, 'registry 1': one.child.pid, 'load generator': process.pid };
  const durable = await measure('new-Thing registration, 1 instance, AOF appendfsync always', { url: mosquitto.url, replyFilter: 'registry/reply/+', requests: newThingRequests(enough(20_000), keys).requests, concurrency: C, seconds: SECONDS }, ceiling);
  log(`  ${fmt(durable.perSecond)}/s`);
  await one.stop();

  // 5. Redis memory per Thing.
  log(`Redis memory: ${fmt(MEMORY_THINGS)} Things …`);
  const memory = await redisBytesPerThing(redis.url, MEMORY_THINGS, keys[0]!.publicJwk, (n) => n % 20_000 === 0 && log(`  ${fmt(n)}`));

  const versions = {
    node: process.version,
    mosquitto: execFileSync('sh', ['-c', 'mosquitto -h | head -1']).toString().trim(),
    redis: execFileSync('redis-server', ['--version']).toString().trim().split(' ')[2],
  };
  const table = [
    '| scenario | round trips/s | ratio to ceiling | p50 ms | p99 ms | errors |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.result.perSecond)} | ${r.ratio === undefined ? '1.00' : fmt(r.ratio, 2)} | ${fmt(r.result.p50Ms, 1)} | ${fmt(r.result.p99Ms, 1)} | ${Object.entries(r.result.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} |`),
  ].join('\n');
  const processes = ['load generator', 'mosquitto', 'redis', 'responder', 'registry 1', 'registry 2'];
  const cpuTable = [
    `| scenario (CPU ms per round trip) | ${processes.join(' | ')} | all |`,
    `|---|${processes.map(() => '---:').join('|')}|---:|`,
    ...rows.map((r) => {
      const per = (name: string) => (r.cpu[name] === undefined ? '' : fmt((r.cpu[name]! * 1000) / Math.max(1, r.result.completed), 3));
      const all = Object.values(r.cpu).reduce((a, b) => a + b, 0);
      return `| ${r.name} | ${processes.map(per).join(' | ')} | ${fmt((all * 1000) / Math.max(1, r.result.completed), 3)} |`;
    }),
  ].join('\n');
  const summary = [
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB; node ${versions.node}, ${versions.mosquitto}, redis ${versions.redis}`,
    `- ${SECONDS} s per scenario, ${C} simulated Things in flight, everything on loopback on this one machine`,
    `- node registration: ${fmt(nodes.perSecond)}/s = ${fmt(nodes.perSecond / rsa, 2)} × one core's RSA-2048 OAEP private decrypts (${fmt(rsa)}/s, same key size, same run)`,
    `- 2 instances / 1 instance (new Things): ${fmt(newTwo.perSecond / newOne.perSecond, 2)}`,
    `- AOF appendfsync always / no AOF (new Things, 1 instance): ${fmt(durable.perSecond / newOne.perSecond, 2)}`,
    `- Redis memory per Thing at ${fmt(MEMORY_THINGS)} Things (used_memory delta): ${fmt(memory.perThing)} bytes; MEMORY USAGE of one Thing's two keys: ${memory.sampleKeys} bytes`,
  ].join('\n');
  process.stdout.write(`\n${table}\n\n${cpuTable}\n\n${summary}\n`);
  if (opts.write) {
    const command = `pnpm bench${opts.quick ? ' --quick' : ''}`;
    const section = `<!-- bench:start -->\nMeasured ${new Date().toISOString().slice(0, 10)} with \`${command}\`:\n\n${table}\n\n${cpuTable}\n\n${summary}\n<!-- bench:end -->`;
    const current = readFileSync(opts.write, 'utf8');
    writeFileSync(opts.write, current.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, section));
    log(`wrote ${opts.write}`);
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.exit();
  });
