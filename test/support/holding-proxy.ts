import { createServer, IncomingHttpHeaders, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

type Matcher = (req: IncomingMessage) => boolean;

interface Hold {
  readonly matches: Matcher;
  readonly answered: () => void;
  readonly released: Promise<void>;
}

/**
 * A plain HTTP proxy on 127.0.0.1:0 in front of a real server, which can hold the answer to one
 * request until the test lets it go: the server has done its work (issued tokens, say), and "while
 * its answer is on the way" becomes a moment the test controls.
 */
export class HoldingProxy {
  url = '';
  private server?: Server;
  private hold?: Hold;

  /** Where requests go; may be set once the real server is up. */
  constructor(public target: string) {}

  static async start(target = ''): Promise<HoldingProxy> {
    const proxy = new HoldingProxy(target);
    proxy.server = createServer((req, res) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => proxy.server!.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** Holds the answer to the next matching request: `answered` resolves once the server answered it. */
  holdNextAnswer(matches: Matcher): { answered: Promise<void>; release: () => void } {
    let answered!: () => void;
    let release!: () => void;
    const answer = new Promise<void>((resolve) => (answered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.hold = { matches, answered, released };
    return { answered: answer, release };
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const hold = this.hold?.matches(req) ? this.hold : undefined;
    if (hold) this.hold = undefined;
    try {
      const answer = await this.forward(req, Buffer.concat(chunks));
      if (hold) {
        hold.answered();
        await hold.released;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      res.writeHead(502).end();
    }
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.target);
    return new Promise((resolve, reject) => {
      const upstream = request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (part: Buffer) => parts.push(part));
          answer.on('end', () =>
            resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) }),
          );
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
