import { SignJWT, UnsecuredJWT } from 'jose';
import { FakeClock } from './support/fake-clock';
import { HostileProvider } from './support/hostile-provider';
import { callbackUrl, expectLoginRejected } from './support/hostile-login';
import { HttpClient } from './support/http-client';
import { freePort } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';
import { newKey } from './support/test-issuer';

/**
 * The callback against a provider that misbehaves on purpose: each rejection ends on the error page,
 * with no signed-in session.
 */
describe('the login callback', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await HostileProvider.start();
    const port = await freePort();
    app = await startTestApp({
      port,
      env: {
        APP_URL: `http://127.0.0.1:${port}`,
        OIDC_ISSUER: provider.url,
        OIDC_PROVIDER: 'generic',
        OIDC_CLIENT_ID: 'client-1',
        OIDC_CLIENT_SECRET: 'client-1-secret-for-tests-only',
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });
  beforeEach(() => {
    provider.userinfo = () => ({ sub: 'hostile-user', email: 'user@hostile.example' });
    provider.tokens = async (auth) => ({
      body: {
        access_token: 'opaque-access-token',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await provider.idToken(auth),
      },
    });
  });

  const expectRejected = async (browser: HttpClient, url: URL | string, status = 401): Promise<void> => {
    await expectLoginRejected(app, browser, url, status);
  };

  it('signs in through a generic provider, sending PKCE S256 and a nonce', async () => {
    const browser = new HttpClient(app.url);
    const callback = await callbackUrl(browser);
    const res = await browser.get(`${callback.pathname}${callback.search}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/account');
    expect(await (await browser.get('/account')).text()).toContain('user@hostile.example');
    const auth = provider.authorizations[provider.authorizations.length - 1]!;
    expect(auth.codeChallengeMethod).toBe('S256');
    expect(auth.nonce).toBeTruthy();
  });

  describe('rejects an ID token', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, string, (auth: Parameters<HostileProvider['idToken']>[0]) => Promise<string>][] = [
      [
        'signed with alg none',
        'alg_not_allowed',
        (auth) =>
          Promise.resolve(
            new UnsecuredJWT({ iss: provider.url, sub: 'x', aud: 'client-1', nonce: auth.nonce })
              .setIssuedAt()
              .setExpirationTime('5m')
              .encode(),
          ),
      ],
      [
        'with a bad signature',
        'bad_signature',
        async (auth) => {
          const [header, , signature] = (await provider.idToken(auth)).split('.');
          const payload = Buffer.from(
            JSON.stringify({
              iss: provider.url,
              sub: 'admin',
              aud: 'client-1',
              nonce: auth.nonce,
              iat: now(),
              exp: now() + 60,
            }),
          ).toString('base64url');
          return `${header}.${payload}.${signature}`;
        },
      ],
      [
        'from the wrong issuer',
        'not issued by expected OpenID provider',
        (auth) => provider.idToken(auth, { iss: 'https://evil.example' }),
      ],
      [
        'for another audience',
        'not intended for this relying party',
        (auth) => provider.idToken(auth, { aud: 'someone-else' }),
      ],
      ['that has expired', 'has expired', (auth) => provider.idToken(auth, { iat: now() - 600, exp: now() - 120 })],
      [
        'issued in the future',
        'issued_in_future',
        (auth) => provider.idToken(auth, { iat: now() + 600, exp: now() + 900 }),
      ],
      ['with the wrong nonce', 'invalid nonce', (auth) => provider.idToken(auth, { nonce: 'not-the-nonce' })],
      ['without the nonce', 'invalid nonce', (auth) => provider.idToken(auth, { nonce: undefined })],
      [
        'signed by a key the provider does not publish',
        'unknown_kid',
        async (auth) => {
          const stranger = await newKey('stranger');
          return new SignJWT({
            iss: provider.url,
            sub: 'x',
            aud: 'client-1',
            nonce: auth.nonce,
            iat: now(),
            exp: now() + 60,
          })
            .setProtectedHeader({ alg: 'RS256', kid: stranger.kid })
            .sign(stranger.privateKey);
        },
      ],
    ];

    it.each(cases)('%s', async (_name, reason, idToken) => {
      provider.tokens = async (auth) => ({
        body: { access_token: 'opaque', token_type: 'Bearer', id_token: await idToken(auth) },
      });
      const browser = new HttpClient(app.url);
      const logged = app.logger.lines.length;
      await expectRejected(browser, await callbackUrl(browser));
      const lines = app.logger.lines.slice(logged).map((l) => l.message);
      expect(
        lines.some((line) => line.includes('/auth/callback rejected: LOGIN_REJECTED') && line.includes(reason)),
      ).toBe(true);
    });
  });

  describe('rejects the state', () => {
    it('when it is not the one this browser was given', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      callback.searchParams.set('state', 'forged-state-value');
      await expectRejected(browser, callback);
    });

    it('when it is replayed after a successful login', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      expect((await browser.get(`${callback.pathname}${callback.search}`)).status).toBe(302);
      const replayer = new HttpClient(app.url);
      await replayer.get('/auth/login');
      await expectRejected(replayer, callback);
      const again = await browser.get(`${callback.pathname}${callback.search}`);
      expect(again.status).toBe(401);
    });

    it('when it comes from another browser', async () => {
      const victim = new HttpClient(app.url);
      const attacker = new HttpClient(app.url);
      const callback = await callbackUrl(attacker);
      await victim.get('/auth/login');
      await expectRejected(victim, callback);
    });

    it('when it is missing (400: malformed)', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      callback.searchParams.delete('state');
      await expectRejected(browser, callback, 400);
    });
  });

  it('answers a callback with duplicated parameters with 400', async () => {
    const browser = new HttpClient(app.url);
    const callback = await callbackUrl(browser);
    await expectRejected(browser, `${callback.pathname}${callback.search}&code=second-code`, 400);
    await expectRejected(browser, '/auth/callback', 400);
  });

  it('rejects userinfo about another subject', async () => {
    provider.userinfo = () => ({ sub: 'somebody-else', email: 'user@hostile.example' });
    const browser = new HttpClient(app.url);
    await expectRejected(browser, await callbackUrl(browser));
  });

  it('rejects an error from the provider, and a token endpoint that refuses or answers garbage', async () => {
    const denied = new HttpClient(app.url);
    const callback = await callbackUrl(denied);
    await expectRejected(denied, `/auth/callback?error=access_denied&state=${callback.searchParams.get('state')}`);

    provider.tokens = () => Promise.resolve({ status: 400, body: { error: 'invalid_grant' } });
    const refused = new HttpClient(app.url);
    await expectRejected(refused, await callbackUrl(refused));

    provider.tokens = () => Promise.resolve({ status: 200, body: '<html>not json</html>' });
    const garbage = new HttpClient(app.url);
    await expectRejected(garbage, await callbackUrl(garbage));
  });
});

describe('refresh with a generic provider', () => {
  let provider: HostileProvider;
  let app: TestApp;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    provider = await HostileProvider.start();
    provider.tokens = async (auth) => ({
      body: {
        access_token: 'opaque',
        refresh_token: 'refresh-1',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await provider.idToken(auth),
      },
    });
    const port = await freePort();
    app = await startTestApp({
      port,
      clock,
      env: {
        APP_URL: `http://127.0.0.1:${port}`,
        OIDC_ISSUER: provider.url,
        OIDC_PROVIDER: 'generic',
        OIDC_CLIENT_ID: 'client-1',
        OIDC_CLIENT_SECRET: 'client-1-secret-for-tests-only',
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  async function signedIn(): Promise<HttpClient> {
    clock.set(Date.now());
    const browser = new HttpClient(app.url);
    const login = await browser.get('/auth/login');
    const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    expect((await browser.get(`${callback.pathname}${callback.search}`)).status).toBe(302);
    return browser;
  }

  it('keeps the session across expiry with the refreshed tokens', async () => {
    const browser = await signedIn();
    clock.advance(280_000);
    expect((await browser.get('/account')).status).toBe(200);
    expect(provider.refreshRequests).toBe(1);
  });

  it('ends the session when the refreshed ID token names another user', async () => {
    const browser = await signedIn();
    provider.refresh = async () => ({
      body: {
        access_token: 'opaque-2',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await provider.sign({ sub: 'somebody-else' }),
      },
    });
    clock.advance(280_000);
    const res = await browser.get('/account');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/auth/login?returnTo=/account');
    expect((await browser.get('/account')).status).toBe(302);
  });

  it('ends the session when the provider answers invalid_grant', async () => {
    const browser = await signedIn();
    provider.refresh = () => Promise.resolve({ status: 400, body: { error: 'invalid_grant' } });
    clock.advance(280_000);
    expect((await browser.get('/account')).status).toBe(302);
  });
});
