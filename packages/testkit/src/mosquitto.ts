import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ContainerServer, dockerEngineAnswers } from './container-server.js';
import { hasBinary, requireBinary, ServerProcess } from './server-process.js';

export interface MosquittoOptions {
  /** Extra lines for mosquitto.conf (the listener line is written by the kit). */
  config?: string;
  /** Replace the default anonymous settings entirely (e.g. the shipped mosquitto.conf body). */
  replaceDefaults?: boolean;
}

/**
 * A real mosquitto broker on a free loopback port with a config of its own; where the binary is
 * missing but a Docker engine answers, the same in an eclipse-mosquitto:2 container (the test's
 * folder mounted at the same path, so the config may name files in it).
 */
export class TestMosquitto {
  readonly url: string;
  private readonly process: ServerProcess | ContainerServer;

  private constructor(
    readonly port: number,
    readonly dir: string,
    inContainer: boolean,
  ) {
    this.url = `mqtt://127.0.0.1:${port}`;
    const config = join(dir, 'mosquitto.conf');
    this.process = inContainer
      ? new ContainerServer({ image: 'eclipse-mosquitto:2', containerPort: 1883, command: ['mosquitto', '-c', config], bindMounts: [dir] })
      : new ServerProcess('mosquitto', 'mosquitto', ['-c', config]);
  }

  static async start(options: MosquittoOptions = {}): Promise<TestMosquitto> {
    const inContainer = !hasBinary('mosquitto') && dockerEngineAnswers();
    if (!inContainer) requireBinary('mosquitto', 'mosquitto mosquitto-clients');
    const dir = mkdtempSync(join(tmpdir(), 'giotto-mosquitto-'));
    const broker = new TestMosquitto(await freePort(), dir, inContainer);
    const defaults = options.replaceDefaults
      ? ''
      : 'allow_anonymous true\npersistence false\nset_tcp_nodelay true\nmax_queued_messages 100000\n';
    const listener = inContainer ? 'listener 1883' : `listener ${broker.port} 127.0.0.1`;
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      // Run as root, mosquitto drops to user "mosquitto", which cannot read the test's files.
      `${listener}\nuser ${inContainer ? 'root' : userInfo().username}\n${defaults}${options.config ?? ''}\n`,
    );
    await broker.process.start(broker.port);
    return broker;
  }

  /** The server's process id (for CPU and memory accounting). */
  get pid(): number | undefined {
    return this.process instanceof ServerProcess ? this.process.pid : undefined;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.process.stop(signal);
  }

  restart(): Promise<void> {
    return this.process.start(this.port);
  }

  async close(): Promise<void> {
    if (this.process instanceof ContainerServer) await this.process.remove();
    else await this.process.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
