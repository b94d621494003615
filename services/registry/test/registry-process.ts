import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@giotto/testkit';

const main = resolve(import.meta.dirname, '../dist/main.js');

/**
 * The registry as a real child process (the built dist/main.js), for tests that kill it: started
 * with the given environment and a free HTTP port, ready once /readyz says so.
 */
export class RegistryProcess {
  private output = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly httpPort: number,
  ) {
    child.stdout!.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    child.stderr!.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  static async start(env: Record<string, string>, timeoutMs = 20_000): Promise<RegistryProcess> {
    const httpPort = await freePort();
    const child = spawn('node', [main], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, HTTP_PORT: String(httpPort), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const registry = new RegistryProcess(child, httpPort);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}:\n${registry.output}`);
      if (await registry.ready()) return registry;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`registry not ready within ${timeoutMs} ms:\n${registry.output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${this.httpPort}/readyz`)).status === 200;
    } catch {
      return false;
    }
  }

  /** Sends the signal and resolves with the exit code (null when killed by it). */
  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** Resident memory of the process, from /proc. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  get logs(): string {
    return this.output;
  }
}
