import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@giotto/testkit';

/** dist/main.js of @giotto/registry (its package exports only the library entry). */
const registryMain = join(dirname(fileURLToPath(import.meta.resolve('@giotto/registry'))), 'main.js');

/** A registry instance as its own process, as in production. */
export class RegistryInstance {
  private constructor(
    readonly child: ChildProcess,
    readonly httpPort: number,
  ) {}

  static async start(env: Record<string, string>): Promise<RegistryInstance> {
    const httpPort = await freePort();
    // BENCH_PROFILE_DIR: each instance writes a V8 CPU profile there when it stops (node --cpu-prof).
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
    const child = spawn('node', [...profile, registryMain], {
      env: { ...process.env, LOG_LEVEL: 'error', ...env, HTTP_PORT: String(httpPort), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}: ${stderr}`);
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false);
      if (ready) return new RegistryInstance(child, httpPort);
      if (Date.now() > deadline) throw new Error(`registry not ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await gone;
  }
}

/** The ceiling responder, as its own process. */
export async function startCeiling(url: string, prefix: string): Promise<ChildProcess> {
  const child = spawn('node', [join(import.meta.dirname, 'ceiling-responder.js'), url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`ceiling responder exited ${code}`)));
  });
  return child;
}
