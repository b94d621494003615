import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  /** Resolves true when this dependency is usable now. */
  check(): Promise<boolean>;
}

/**
 * `/healthz` (the process answers), `/readyz` (every dependency usable: 503 and which failed,
 * otherwise 200), `/metrics` (Prometheus text).
 */
export class HealthServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: { host: string; port: number; checks: ReadinessCheck[]; metrics: Registry }): Promise<HealthServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        void readiness(options.checks).then((checks) => {
          const ready = Object.values(checks).every(Boolean);
          res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ready, checks })}\n`);
        });
      } else if (path === '/metrics') {
        void options.metrics.metrics().then(
          (text) => res.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
          () => res.writeHead(500).end(),
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`HTTP_PORT: ${options.host}:${options.port} is already in use; set HTTP_PORT (0 turns the HTTP port off)`) : err),
      );
      server.listen(options.port, options.host, () => resolve());
    });
    const address = server.address();
    return new HealthServer(server, address && typeof address === 'object' ? address.port : options.port);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function readiness(checks: ReadinessCheck[]): Promise<Record<string, boolean>> {
  const results = await Promise.all(checks.map((c) => c.check().catch(() => false)));
  return Object.fromEntries(checks.map((c, i) => [c.name, results[i]!]));
}
