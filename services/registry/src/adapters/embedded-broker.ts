import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

/**
 * The zero-setup broker: aedes in the same process. aedes 1.x speaks MQTT 3.1.1 only, so clients
 * (the registry included) connect with protocol version 4 and correlate by requestId.
 */
export class EmbeddedBroker {
  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host: string, port: number): Promise<EmbeddedBroker> {
    const broker = await Aedes.createBroker();
    // Without noDelay every request/reply round trip waits on Nagle's algorithm (~40 ms).
    const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`EMBEDDED_BROKER_PORT: ${host}:${port} is already in use (another broker?); set EMBEDDED_BROKER_PORT, or MQTT_URL to use that broker`)
            : err,
        );
      });
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    const bound = address && typeof address === 'object' ? address.port : port;
    return new EmbeddedBroker(broker, server, host, bound);
  }

  get url(): string {
    return `mqtt://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async close(): Promise<void> {
    // The broker first: it disconnects its clients, without which the server would never close.
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
