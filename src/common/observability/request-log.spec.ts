import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AsyncLocalStorage } from 'node:async_hooks';
import express from 'express';
import type { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { requestLog, resumeRequestLog } from './request-log';

/**
 * The request log over real HTTP and a real pino, with a stand-in for nestjs-pino's PinoLogger (its
 * `runInContext` and `logger`, an AsyncLocalStorage as nestjs-pino's). The route says whether it
 * is quiet, as the guards do from the matched handler's declaration.
 */
async function served(quietHint: (method?: string, url?: string) => boolean) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const root = pino(
    {
      serializers: {
        req: (req: { url: string }) => ({ url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    sink,
  );
  const storage = new AsyncLocalStorage<pino.Logger>();
  const logger = {
    get logger() {
      return storage.getStore() ?? root;
    },
    runInContext: (fn: () => void, { bindings }: { bindings: object }) => storage.run(root.child(bindings), fn),
  } as unknown as PinoLogger;
  const app = express();
  app.use(requestLog(logger, quietHint));
  for (const [path, quiet] of [
    ['/quiet', true],
    ['/loud', false],
  ] as const) {
    app.get(path, (req, res) => {
      req.quietLog = quiet;
      resumeRequestLog(req, res);
      logger.logger.info('handled');
      res.json({ ok: true });
    });
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: async (path: string) => {
      expect((await fetch(url + path)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    requestLines: () => lines.filter((line) => line.msg === 'request completed'),
    lines,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the request log', () => {
  it('writes one line per request of a route that is not quiet, its request bound to what is logged meanwhile', async () => {
    const app = await served(() => false);
    try {
      await app.get('/loud');
      await app.get('/quiet');
      expect(app.requestLines().map((line) => line.req)).toEqual([{ url: '/loud' }]);
      expect(app.lines.find((line) => line.msg === 'handled')?.req).toEqual({ url: '/loud' });
    } finally {
      await app.close();
    }
  });

  it('leaves the line of a request that looks like a probe to its route: written unless the route is quiet', async () => {
    // The hint (an exact request line of a quiet route) is wrong here on purpose for /loud: the
    // route's own declaration still has its line written. Without resumeRequestLog it would be lost.
    const app = await served(() => true);
    try {
      await app.get('/quiet');
      await app.get('/loud');
      const lines = app.requestLines();
      expect(lines.map((line) => line.req)).toEqual([{ url: '/loud' }]);
      expect(lines[0]).toMatchObject({ res: { statusCode: 200 }, responseTime: expect.any(Number) });
    } finally {
      await app.close();
    }
  });
});
