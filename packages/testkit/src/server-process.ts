import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** True when `binary` is on the PATH. */
export function hasBinary(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

export function requireBinary(binary: string, debianPackage: string): void {
  if (!hasBinary(binary)) {
    throw new Error(
      `${binary} is not installed; the integration tests run the real server. ` +
        `Install it with: sudo apt-get install ${debianPackage} (or brew install ${debianPackage.split(' ')[0]})`,
    );
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(why);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** A server child process whose output is kept (last lines) for error messages. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private exitInfo: string | undefined;

  constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly args: string[],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  async start(port: number, timeoutMs = 10_000): Promise<void> {
    this.output = '';
    this.exitInfo = undefined;
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      running.delete(child);
      this.exitInfo = `${this.name} exited (code ${code}, signal ${signal}):\n${this.output}`;
    });
    child.once('error', (err) => {
      this.exitInfo = `${this.name} could not start: ${err.message}`;
    });
    await waitForPort(port, timeoutMs, () => this.exitInfo);
  }

  /** Sends the signal and waits until the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || this.exitInfo !== undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
  }

  /** Stops the process without waiting (SIGSTOP / SIGCONT style signals). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }
}
