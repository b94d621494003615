import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { requireBinary, ServerProcess } from './server-process.js';

export interface MosquittoOptions {
  /** Extra lines for mosquitto.conf (the listener line is written by the kit). */
  config?: string;
  /** Replace the default anonymous settings entirely (e.g. the shipped mosquitto.conf body). */
  replaceDefaults?: boolean;
}

/** A real mosquitto broker on a free loopback port with a config of its own. */
export class TestMosquitto {
  readonly url: string;
  private readonly process: ServerProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {
    this.url = `mqtt://127.0.0.1:${port}`;
    this.process = new ServerProcess('mosquitto', 'mosquitto', ['-c', join(dir, 'mosquitto.conf')]);
  }

  static async start(options: MosquittoOptions = {}): Promise<TestMosquitto> {
    requireBinary('mosquitto', 'mosquitto mosquitto-clients');
    const dir = mkdtempSync(join(tmpdir(), 'giotto-mosquitto-'));
    const broker = new TestMosquitto(await freePort(), dir);
    const defaults = options.replaceDefaults
      ? ''
      : 'allow_anonymous true\npersistence false\nset_tcp_nodelay true\nmax_queued_messages 100000\n';
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      // Run as root, mosquitto drops to user "mosquitto", which cannot read the test's files.
      `listener ${broker.port} 127.0.0.1\nuser ${userInfo().username}\n${defaults}${options.config ?? ''}\n`,
    );
    await broker.process.start(broker.port);
    return broker;
  }

  /** The server's process id (for CPU and memory accounting). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.process.stop(signal);
  }

  restart(): Promise<void> {
    return this.process.start(this.port);
  }

  async close(): Promise<void> {
    await this.process.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
