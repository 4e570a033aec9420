/**
 * A real HTTP server on 127.0.0.1 standing in for an alert receiver (a healthchecks ping URL, an
 * ntfy topic): it records every request (method, path, headers, body) and answers with the
 * status the test chooses per request, or never answers ('hang'). Tests wait for the n-th
 * request by event, not by time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** The request line's path and query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The status to answer the n-th request (0-based) with, or 'hang' to never answer it. */
export type Answer = (request: Received, index: number) => number | 'hang';

export class AlertReceiver {
  readonly received: Received[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(answer: Answer = () => 200): Promise<AlertReceiver> {
    let receiver: AlertReceiver | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const got: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        const r = receiver as AlertReceiver;
        const index = r.received.length;
        r.received.push(got);
        r.wake();
        const status = answer(got, index);
        if (status === 'hang') return;
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status < 300 ? 'OK' : 'no');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new AlertReceiver(server, (server.address() as AddressInfo).port);
    return receiver;
  }

  /** `http://127.0.0.1:PORT` + `path`. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once `count` requests have arrived; returns them all. */
  async waitFor(count: number): Promise<Received[]> {
    if (this.received.length < count) {
      await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    }
    return this.received;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (this.received.length >= w.count) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}
