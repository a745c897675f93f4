import { decodeJwt } from 'jose';
import { SessionTokens } from '../src/session/session-tokens';
import { csrfFrom, loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { FakeClock } from './support/fake-clock';
import { HttpClient } from './support/http-client';
import { redisClient } from './support/test-app';
import { Stack, startStack } from './support/stack';

const richard = { email: K.richard.email, password: K.richard.password };
const sidOf = (cookie: string | undefined) =>
  decodeURIComponent(cookie ?? '')
    .replace(/^s:/, '')
    .split('.')[0]!;

async function storedTokens(stack: Stack, browser: HttpClient): Promise<SessionTokens | undefined> {
  const redis = await redisClient();
  try {
    const raw = await redis.get(`${stack.app.keyPrefix}session-tokens:${sidOf(await browser.cookie('sid'))}`);
    return raw ? (JSON.parse(raw) as SessionTokens) : undefined;
  } finally {
    redis.destroy();
  }
}

describe('login, logout and refresh against the dev IdP', () => {
  let stack: Stack;
  afterEach(async () => stack?.close());

  it('logs in through the hosted page with state, nonce and PKCE, and logs out everywhere', async () => {
    stack = await startStack();
    const { app, idp } = stack;
    const browser = new HttpClient(app.url);

    const first = await browser.get('/account');
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/auth/login?returnTo=/account');
    const anonymous = await browser.get('/auth/login?returnTo=/account');
    const preLoginSid = sidOf(await browser.cookie('sid'));

    const authorize = new URL(anonymous.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp.issuer}/oauth2/authorize`);
    const params = Object.fromEntries(authorize.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: K.applicationId,
      redirect_uri: `${app.url}/auth/callback`,
      code_challenge_method: 'S256',
      // The configured tenant, so a FusionAuth with several tenants shows this tenant's login theme.
      tenantId: K.tenantId,
    });
    expect(params.scope!.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access']));
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.nonce).toBeTruthy();
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const login = await loginThroughProvider(browser, richard, authorize.href);
    expect(login.final.status).toBe(302);
    expect(login.final.headers.get('location')).toBe('/account');
    expect(login.urls.some((u) => u.startsWith(`${app.url}/auth/callback?`))).toBe(true);
    const sid = sidOf(await browser.cookie('sid'));
    expect(sid).not.toBe(preLoginSid);

    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    expect(account.headers.get('cache-control')).toBe('no-store');
    const page = await account.text();
    expect(page).toContain('Richard Hendricks');
    expect(page).toContain('richard@example.com');
    expect(page).toContain('user');

    // No token in a URL, a page or a cookie: they live server side only.
    const tokens = (await storedTokens(stack, browser))!;
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: K.richard.id, roles: ['user'] });
    const secrets = [tokens.accessToken, tokens.refreshToken!, tokens.idToken!];
    const cookies = (await browser.jar.getCookies(app.url)).map((c) => c.toString()).join('\n');
    for (const secret of secrets) {
      expect(login.urls.join('\n')).not.toContain(secret);
      expect(page).not.toContain(secret);
      expect(cookies).not.toContain(secret);
    }

    const logout = await browser.post('/auth/logout', { _csrf: csrfFrom(page) });
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.headers.get('location')!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${idp.issuer}/oauth2/logout`);
    // RP-Initiated Logout 1.0 puts the ID token in this one URL; nothing else does.
    expect(Object.fromEntries(endSession.searchParams)).toEqual({
      id_token_hint: tokens.idToken,
      client_id: K.applicationId,
      post_logout_redirect_uri: `${app.url}/`,
    });
    expect(logout.headers.getSetCookie().join()).toMatch(/sid=;/);
    expect(await storedTokens(stack, browser)).toBeUndefined();
    const redis = await redisClient();
    try {
      expect(await redis.exists(`${app.keyPrefix}sess:${sid}`)).toBe(0);
    } finally {
      redis.destroy();
    }
    // FusionAuth was told: the session's refresh token no longer works.
    const live = (await stack.fusionAuth.retrieveRefreshTokens(K.richard.id)).response.refreshTokens ?? [];
    expect(tokens.refreshTokenId).toBeTruthy();
    expect(live.map((t) => t.id)).not.toContain(tokens.refreshTokenId);
    // The provider ends its own session too, loads each application's logout URL, then comes back.
    const ended = await browser.get(endSession.href);
    expect(ended.status).toBe(200);
    const endedPage = await ended.text();
    expect(endedPage).toContain(`url=${app.url}/"`);
    expect(endedPage).toContain(`<iframe src="${app.url}/auth/frontchannel-logout" `);
    const again = await browser.get('/account');
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/auth/login?returnTo=/account');
    // Logging in again needs the password again: the provider's SSO session ended too.
    const relogin = await loginThroughProvider(browser, richard);
    expect(relogin.urls.filter((u) => u.includes('/oauth2/interaction/')).length).toBeGreaterThan(0);
  });

  it('refuses a logout without the CSRF token, and the session survives', async () => {
    stack = await startStack();
    const browser = new HttpClient(stack.app.url);
    await loginThroughProvider(browser, richard);
    const res = await browser.post('/auth/logout', {});
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired');
    expect((await browser.get('/account')).status).toBe(200);
    const forged = await browser.post('/auth/logout', { _csrf: 'not-the-token' });
    expect(forged.status).toBe(403);
    expect((await browser.get('/account')).status).toBe(200);
  });

  it('keeps a same-origin returnTo and drops any other', async () => {
    stack = await startStack();
    const kept = await loginThroughProvider(
      new HttpClient(stack.app.url),
      richard,
      '/auth/login?returnTo=%2Faccount%3Ftab%3D1',
    );
    expect(kept.final.headers.get('location')).toBe('/account?tab=1');
    for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'https:evil.example']) {
      const login = await loginThroughProvider(
        new HttpClient(stack.app.url),
        richard,
        `/auth/login?returnTo=${encodeURIComponent(evil)}`,
      );
      expect(login.final.headers.get('location')).toBe('/account');
    }
  });

  describe('password login (FusionAuth Login API)', () => {
    it('signs in with the same kind of session, and refuses with one generic message', async () => {
      stack = await startStack();
      const browser = new HttpClient(stack.app.url);
      const form = await browser.get('/auth/password-login?returnTo=/account');
      expect(form.status).toBe(200);
      const csrf = csrfFrom(await form.text());

      const wrongPassword = await browser.post('/auth/password-login', {
        _csrf: csrf,
        email: richard.email,
        password: 'wrong',
      });
      const unknownUser = await browser.post('/auth/password-login', {
        _csrf: csrf,
        email: 'nobody@example.com',
        password: 'password',
      });
      expect([wrongPassword.status, unknownUser.status]).toEqual([401, 401]);
      const [a, b] = [await wrongPassword.text(), await unknownUser.text()];
      expect(a).toContain('That email and password do not match an account.');
      expect(b.replace(/value="[^"]*"/g, '')).toBe(a.replace(/value="[^"]*"/g, ''));

      const noCsrf = await browser.post('/auth/password-login', { email: richard.email, password: richard.password });
      expect(noCsrf.status).toBe(403);

      const before = sidOf(await browser.cookie('sid'));
      const ok = await browser.post('/auth/password-login', {
        _csrf: csrf,
        email: richard.email,
        password: richard.password,
        returnTo: '/account',
      });
      expect(ok.status).toBe(302);
      expect(ok.headers.get('location')).toBe('/account');
      expect(sidOf(await browser.cookie('sid'))).not.toBe(before);
      const page = await (await browser.get('/account')).text();
      expect(page).toContain('Richard Hendricks');
      expect(page).toContain('email and password');
      const tokens = (await storedTokens(stack, browser))!;
      expect(decodeJwt(tokens.accessToken)).toMatchObject({
        sub: K.richard.id,
        sid: tokens.refreshTokenId,
        authenticationType: 'PASSWORD',
      });
    });

    it('answers an empty form with 400', async () => {
      stack = await startStack();
      const browser = new HttpClient(stack.app.url);
      const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
      expect((await browser.post('/auth/password-login', { _csrf: csrf, email: '', password: '' })).status).toBe(400);
    });
  });

  describe('refresh', () => {
    const env = { SESSION_IDLE_TIMEOUT_S: '20000', SESSION_ABSOLUTE_TIMEOUT_S: '28800' };

    it('refreshes once for ten parallel requests, rotates the refresh token, and keeps working', async () => {
      const clock = new FakeClock(Date.now());
      stack = await startStack({ env, clock });
      const browser = new HttpClient(stack.app.url);
      await loginThroughProvider(browser, richard);
      const before = (await storedTokens(stack, browser))!;
      expect(stack.idp.grants.get('refresh_token') ?? 0).toBe(0);

      clock.advance(3550_000);
      const answers = await Promise.all(Array.from({ length: 10 }, () => browser.get('/account')));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(stack.idp.grants.get('refresh_token')).toBe(1);
      const after = (await storedTokens(stack, browser))!;
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.refreshTokenId).toBe(before.refreshTokenId);

      // The rotated token was kept: the next refresh works (a reused one would end the whole family).
      clock.advance(20_000);
      expect((await browser.get('/account')).status).toBe(200);
      expect(stack.idp.grants.get('refresh_token')).toBe(2);
    });

    it('ends the session when FusionAuth has revoked its refresh token', async () => {
      const clock = new FakeClock(Date.now());
      stack = await startStack({ env, clock });
      const browser = new HttpClient(stack.app.url);
      await loginThroughProvider(browser, richard);
      expect((await browser.get('/account')).status).toBe(200);
      await stack.fusionAuth.revokeRefreshTokensByUserId(K.richard.id);
      clock.advance(3550_000);
      const res = await browser.get('/account');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/auth/login?returnTo=/account');
      expect(await storedTokens(stack, browser)).toBeUndefined();
    });

    it('refreshes a password-login session through the Login API', async () => {
      const clock = new FakeClock(Date.now());
      stack = await startStack({ env, clock });
      const browser = new HttpClient(stack.app.url);
      const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
      await browser.post('/auth/password-login', { _csrf: csrf, email: richard.email, password: richard.password });
      const before = (await storedTokens(stack, browser))!;
      clock.advance(3550_000);
      const answers = await Promise.all(Array.from({ length: 5 }, () => browser.get('/account')));
      expect(answers.map((r) => r.status)).toEqual(Array(5).fill(200));
      const after = (await storedTokens(stack, browser))!;
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(decodeJwt(after.accessToken)).toMatchObject({
        authenticationType: 'REFRESH_TOKEN',
        sid: before.refreshTokenId,
      });
    });
  });
});
