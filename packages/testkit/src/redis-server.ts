import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { requireBinary, ServerProcess } from './server-process.js';

export interface RedisOptions {
  /** appendonly yes + appendfsync always (durable acknowledgements). */
  durable?: boolean;
  extraArgs?: string[];
}

/** A real redis-server on a free loopback port, with its data in a temporary folder. */
export class TestRedis {
  readonly url: string;
  private readonly process: ServerProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    options: RedisOptions,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
    const persistence = options.durable
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    this.process = new ServerProcess('redis-server', 'redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--protected-mode', 'no', ...persistence, ...(options.extraArgs ?? []),
    ]);
  }

  static async start(options: RedisOptions = {}): Promise<TestRedis> {
    requireBinary('redis-server', 'redis-server');
    const dir = mkdtempSync(join(tmpdir(), 'giotto-redis-'));
    const redis = new TestRedis(await freePort(), dir, options);
    await redis.process.start(redis.port);
    return redis;
  }

  get isRunning(): boolean {
    return this.process.isRunning;
  }

  /** Stops the server (SIGTERM by default, SIGKILL to simulate a crash). */
  /** The server's process id (for CPU and memory accounting). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.process.stop(signal);
  }

  /** Starts it again on the same port and data folder. */
  restart(): Promise<void> {
    return this.process.start(this.port);
  }

  async close(): Promise<void> {
    await this.process.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
