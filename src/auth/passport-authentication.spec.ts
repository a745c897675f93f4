import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import passport from 'passport';
import { AppError } from '../common/app.errors';
import { authenticate } from './passport-authentication';

type Act = (strategy: InstanceType<typeof passport.Strategy>, req: IncomingMessage) => void;

/** A strategy that does what the test says, registered on passport's singleton like the real ones. */
function register(name: string, act: Act): string {
  class Scripted extends passport.Strategy {
    override authenticate(req: IncomingMessage): void {
      act(this, req);
    }
  }
  passport.use(name, new Scripted());
  return name;
}

const judge = (error: unknown, user: unknown, info: unknown): string => {
  if (error instanceof Error) throw error;
  const id = (user as { id?: unknown } | false | undefined) || undefined;
  if (typeof id?.id !== 'string') {
    throw new AppError('LOGIN_REJECTED', (info as { message?: string } | undefined)?.message);
  }
  return `judged:${id.id}`;
};

/**
 * authenticate() against real HTTP requests: how each of passport's answers settles the route's
 * guard, and that the guard settles too when passport answers the browser itself and never calls back.
 */
describe('authenticate through @nestjs/passport', () => {
  let server: Server;
  let url: string;
  let strategy: string;
  /** How authenticate() settled for the last request. */
  let settled: Promise<string>;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      settled = authenticate(new ExecutionContextHost([req, res]), strategy, { session: false }, judge).then(
        (value) => {
          if (!res.writableEnded) res.end(String(value));
          return `resolved:${String(value)}`;
        },
        (error: unknown) => {
          res.statusCode = 401;
          res.end();
          return `rejected:${(error as AppError).code}`;
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('settles (undefined) once passport has redirected, though AuthGuard never calls back', async () => {
    strategy = register('test:redirect', (s) => s.redirect('https://provider.example/authorize'));
    const res = await fetch(url, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, 'https://provider.example/authorize']);
    await expect(settled).resolves.toBe('resolved:undefined');
  });

  it('resolves with what the judge made of a success', async () => {
    strategy = register('test:success', (s) => s.success({ id: 'user-1' } as Express.User));
    expect(await (await fetch(url)).text()).toBe('judged:user-1');
    await expect(settled).resolves.toBe('resolved:judged:user-1');
  });

  it("rejects with the judge's error for a failure and for an error", async () => {
    strategy = register('test:fail', (s) => s.fail({ message: 'state mismatch' }, 403));
    expect((await fetch(url)).status).toBe(401);
    await expect(settled).resolves.toBe('rejected:LOGIN_REJECTED');
    strategy = register('test:error', (s) => s.error(new AppError('PROVIDER_UNAVAILABLE')));
    expect((await fetch(url)).status).toBe(401);
    await expect(settled).resolves.toBe('rejected:PROVIDER_UNAVAILABLE');
  });

  it('settles (undefined) when the browser goes away while the strategy waits on the provider', async () => {
    let arrived!: () => void;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    strategy = register('test:hang', () => arrived());
    const aborted = new AbortController();
    const request = fetch(url, { signal: aborted.signal }).catch((error: unknown) => error);
    await waiting;
    aborted.abort();
    await request;
    await expect(settled).resolves.toBe('resolved:undefined');
  });
});
