import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly body: string;
}

/**
 * An HTTP proxy on 127.0.0.1:0 in front of one server (the dev IdP standing in for FusionAuth): it
 * forwards every request unchanged and records what the service sent, to prove what goes on the wire.
 */
export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  private server?: Server;
  url = '';

  /** Where requests go; may be set after start (the proxy's URL is often needed first). */
  target?: URL;

  static async start(target?: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy();
    if (target) proxy.target = new URL(target);
    proxy.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        proxy.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', body: body.toString('utf8') });
        const target = proxy.target;
        if (!target) return void res.writeHead(502).end();
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.server!.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
