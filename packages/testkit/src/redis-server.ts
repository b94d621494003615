import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ContainerServer, dockerEngineAnswers } from './container-server.js';
import { hasBinary, requireBinary, ServerProcess } from './server-process.js';

export interface RedisOptions {
  /** appendonly yes + appendfsync always (durable acknowledgements). */
  durable?: boolean;
  extraArgs?: string[];
}

/**
 * A real redis-server on a free loopback port, with its data in a temporary folder; where the
 * binary is missing but a Docker engine answers, the same in a redis:7 container.
 */
export class TestRedis {
  readonly url: string;
  private readonly process: ServerProcess | ContainerServer;

  private constructor(
    readonly port: number,
    readonly dir: string,
    options: RedisOptions,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
    const persistence = options.durable
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const common = ['--save', '', '--protected-mode', 'no', ...persistence, ...(options.extraArgs ?? [])];
    this.process = hasBinary('redis-server') || !dockerEngineAnswers()
      ? new ServerProcess('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...common])
      : new ContainerServer({ image: 'redis:7', containerPort: 6379, command: ['redis-server', ...common] });
  }

  static async start(options: RedisOptions = {}): Promise<TestRedis> {
    if (!dockerEngineAnswers()) requireBinary('redis-server', 'redis-server');
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
    return this.process instanceof ServerProcess ? this.process.pid : undefined;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.process.stop(signal);
  }

  /** Starts it again on the same port and data folder. */
  restart(): Promise<void> {
    return this.process.start(this.port);
  }

  async close(): Promise<void> {
    if (this.process instanceof ContainerServer) await this.process.remove();
    else await this.process.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
