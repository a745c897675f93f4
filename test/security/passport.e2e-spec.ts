import passport from 'passport';
import { HardenedOidcStrategy } from '../../src/auth/hardened-oidc.strategy';
import { CLIENT_ID, expectLoginAccepted, startAgainst } from '../support/hostile-login';
import { HostileProvider } from '../support/hostile-provider';
import { HttpClient } from '../support/http-client';
import { TestApp } from '../support/test-app';

/** The strategy passport's singleton holds under `name` (what @nestjs/passport's AuthGuard runs). */
const registered = (name: string): unknown =>
  (passport as unknown as { _strategy(n: string): unknown })._strategy(name);

/**
 * Two services in one process (as a Jest file, or a host app with two Nest apps, starts them), each
 * trusting its own provider under the same name, `default`: both register `oidc:default` on
 * passport's singleton, the later one replacing the earlier. Each login still goes to its own
 * issuer with its own client and callback, and comes back signed in to its own app and user.
 */
describe('two apps in one process, one provider name', () => {
  const clients = [CLIENT_ID, 'client-2'];
  const emails = ['one@first.example', 'two@second.example'];
  const providers: HostileProvider[] = [];
  const apps: TestApp[] = [];

  beforeAll(async () => {
    for (const [i, client] of clients.entries()) {
      const provider = await HostileProvider.start();
      const claims = { aud: client, email: emails[i] };
      provider.answerWithIdToken((auth) => provider.idToken(auth, claims));
      provider.userinfo = () => ({ sub: 'hostile-user', email: emails[i] });
      providers.push(provider);
      apps.push(await startAgainst(provider, { OIDC_CLIENT_ID: client }));
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(providers.map((provider) => provider.close()));
  });

  /** Starts a login in app `i`; checks where it sends the browser; returns the provider's redirect back. */
  async function startLogin(i: number, browser: HttpClient): Promise<URL> {
    const start = await browser.get('/auth/login?returnTo=%2Faccount');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${providers[i]!.url}/oauth2/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(clients[i]);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${apps[i]!.url}/auth/callback`);
    const back = await fetch(authorize, { redirect: 'manual' });
    return new URL(back.headers.get('location')!);
  }

  it('registers each provider on passport as `oidc:<name>`', () => {
    expect(registered('oidc:default')).toBeInstanceOf(HardenedOidcStrategy);
  });

  it('logs in through both, alternately and interleaved, each at its own provider and app', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
      [0, 1],
    ]) {
      const browsers = apps.map((app) => new HttpClient(app.url));
      // Both logins are under way before either comes back.
      const callbacks = new Map<number, URL>();
      for (const i of order) callbacks.set(i, await startLogin(i, browsers[i]!));
      for (const i of [...order].reverse()) {
        expect(callbacks.get(i)!.origin).toBe(new URL(apps[i]!.url).origin);
        await expectLoginAccepted(browsers[i]!, callbacks.get(i)!);
        const page = await (await browsers[i]!.get('/account')).text();
        expect(page).toContain(emails[i]);
        expect(page).not.toContain(emails[1 - i]);
      }
    }
    // Each provider answered only its own app's token requests.
    for (const provider of providers) expect(provider.tokenRequests).toBe(3);
  });
});

/** The strategy runs only as its route asks: a login never exchanges a code, a callback never starts a login. */
describe('the oidc strategy behind its routes', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await HostileProvider.start();
    app = await startAgainst(provider);
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  it('refuses a login URL that carries a code and state: no token request, no session', async () => {
    const browser = new HttpClient(app.url);
    const start = await browser.get('/auth/login');
    const back = new URL(
      (await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!,
    );
    const res = await browser.get(`/auth/login${back.search}`);
    expect(res.status).toBe(400);
    expect(provider.tokenRequests).toBe(0);
    // The state was not used up: the real callback still signs in.
    await expectLoginAccepted(browser, back);
    expect(provider.tokenRequests).toBe(1);
  });

  it("refuses a request that reaches the strategy without an app's client", async () => {
    const failure = await new Promise<unknown>((resolve) => {
      const req = { query: {}, session: {} };
      const middleware = passport.authenticate('oidc:default', { session: false }, (error: unknown) => resolve(error));
      (middleware as (req: unknown, res: unknown, next: unknown) => void)(req, {}, resolve);
    });
    expect(failure).toMatchObject({ code: 'INTERNAL' });
  });
});

/**
 * A provider that does not answer while the service starts: its strategy is registered all the same
 * (it holds no endpoints), logins answer the 503 page meanwhile, and sign in once it answers.
 */
describe('a provider down at start', () => {
  let provider: HostileProvider;
  let app: TestApp;
  let down = true;

  beforeAll(async () => {
    provider = await HostileProvider.start();
    provider.handlers.unshift((_req, res) => {
      if (!down) return false;
      res.writeHead(503).end();
      return true;
    });
    app = await startAgainst(provider);
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  it('answers logins with the error page until the provider answers, then signs in', async () => {
    expect(app.logger.of('error').join('\n')).toContain('provider default: discovery at');
    const browser = new HttpClient(app.url);
    const refused = await browser.get('/auth/login');
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('identity provider cannot be reached');

    down = false;
    // Discovery is retried at most every two seconds, and a reachability answer reused for one.
    let start = await browser.get('/auth/login');
    for (let i = 0; i < 40 && start.status !== 302; i++) {
      await new Promise((r) => setTimeout(r, 250));
      start = await browser.get('/auth/login');
    }
    expect(start.status).toBe(302);
    const back = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    await expectLoginAccepted(browser, new URL(back.headers.get('location')!));
  });
});
