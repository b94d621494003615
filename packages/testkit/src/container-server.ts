import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

let engine: boolean | undefined;

/** True when a Docker engine answers (not just the client): then containers can stand in. */
export function dockerEngineAnswers(): boolean {
  engine ??= spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return engine;
}

export interface ContainerSpec {
  image: string;
  /** The port the server listens on inside the container, published on `hostPort`. */
  containerPort: number;
  command?: string[];
  /** Files to place in the container. */
  files?: { content: string; target: string }[];
  /** Host folders visible at the same path inside (so config files can name host paths). */
  bindMounts?: string[];
}

/**
 * The same lifecycle as ServerProcess, through testcontainers, for machines with a Docker engine
 * but without the Debian packages. The host port is fixed, so a restart keeps the server's URL.
 * (This machine kind has no engine: the path is exercised only where one answers.)
 */
export class ContainerServer {
  private id: string | undefined;
  private running = false;
  private container: { stop(options?: { timeout?: number; remove?: boolean }): Promise<unknown>; getId(): string } | undefined;

  constructor(private readonly spec: ContainerSpec) {}

  get isRunning(): boolean {
    return this.running;
  }

  async start(hostPort: number): Promise<void> {
    if (this.id) {
      await run('docker', ['start', this.id]);
      this.running = true;
      return;
    }
    const { GenericContainer, Wait } = await import('testcontainers');
    let builder = new GenericContainer(this.spec.image)
      .withExposedPorts({ container: this.spec.containerPort, host: hostPort })
      .withWaitStrategy(Wait.forListeningPorts());
    if (this.spec.command) builder = builder.withCommand(this.spec.command);
    if (this.spec.files) builder = builder.withCopyContentToContainer(this.spec.files);
    if (this.spec.bindMounts) builder = builder.withBindMounts(this.spec.bindMounts.map((source) => ({ source, target: source })));
    const started = await builder.start();
    this.container = started;
    this.id = started.getId();
    this.running = true;
  }

  /** SIGKILL kills the server at once (a crash); anything else stops it cleanly. It can be started again. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.id || !this.running) return;
    await run('docker', signal === 'SIGKILL' ? ['kill', '--signal', 'KILL', this.id] : ['stop', this.id]);
    this.running = false;
  }

  /** Removes the container. */
  async remove(): Promise<void> {
    await this.container?.stop({ timeout: 0, remove: true }).catch(() => undefined);
    this.running = false;
  }
}
