import { SessionTokens } from '../src/session/session-tokens';
import { csrfFrom, loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { FakeClock } from './support/fake-clock';
import { HttpClient } from './support/http-client';
import { RecordingProxy } from './support/recording-proxy';
import { Stack, startStack } from './support/stack';
import { redisClient } from './support/test-app';

const richard = { email: K.richard.email, password: K.richard.password };
const env = { SESSION_IDLE_TIMEOUT_S: '20000', SESSION_ABSOLUTE_TIMEOUT_S: '28800' };
const sidOf = (cookie: string | undefined) =>
  decodeURIComponent(cookie ?? '')
    .replace(/^s:/, '')
    .split('.')[0]!;

type Readiness = { details: Record<string, { status: string; message?: string }> };

/** What FusionAuth's token endpoint answers, and what the service does with it. */
describe('the token endpoint, as FusionAuth answers it', () => {
  let stack: Stack;
  afterEach(async () => stack?.close());

  async function storedTokens(browser: HttpClient): Promise<SessionTokens | undefined> {
    const redis = await redisClient();
    try {
      const raw = await redis.get(`${stack.app.keyPrefix}session-tokens:${sidOf(await browser.cookie('sid'))}`);
      return raw ? (JSON.parse(raw) as SessionTokens) : undefined;
    } finally {
      redis.destroy();
    }
  }
  const setClientSecret = (clientSecret: string) =>
    stack.fusionAuth.patchApplication(K.applicationId, { application: { oauthConfiguration: { clientSecret } } });
  const issuerHealth = async () =>
    ((await (await fetch(`${stack.app.url}/health/ready`)).json()) as Readiness).details['issuer:default'];

  describe('invalid_client (our client secret is wrong)', () => {
    it('keeps the session: 200 while its token lasts, 503 after, and readiness names the issuer', async () => {
      const clock = new FakeClock(Date.now());
      stack = await startStack({ env, clock });
      const browser = new HttpClient(stack.app.url);
      await loginThroughProvider(browser, richard);
      await setClientSecret('a-secret-the-service-does-not-know');

      clock.set(Date.now() + 3550_000);
      expect((await browser.get('/account')).status).toBe(200);
      expect(await issuerHealth()).toMatchObject({
        status: 'down',
        message: expect.stringContaining('invalid_client') as string,
      });

      clock.set(Date.now() + 3610_000);
      const expired = await browser.get('/account');
      expect(expired.status).toBe(503);
      expect(await storedTokens(browser)).toBeDefined();

      // Fixed at the provider: the same session refreshes and carries on.
      await setClientSecret(K.clientSecret);
      clock.set(Date.now() + 3550_000);
      expect((await browser.get('/account')).status).toBe(200);
      expect(stack.idp.grants.get('refresh_token')).toBe(1);
      expect(await issuerHealth()).toMatchObject({ status: 'up' });
    });

    it('answers the callback with 503, not a refused login, and signs no one in', async () => {
      stack = await startStack();
      await setClientSecret('a-secret-the-service-does-not-know');
      const browser = new HttpClient(stack.app.url);
      const login = await loginThroughProvider(browser, richard);
      expect(login.final.status).toBe(503);
      expect(await login.final.text()).toContain('identity provider cannot be reached');
      expect((await browser.get('/account')).status).toBe(302);
      expect(await issuerHealth()).toMatchObject({ status: 'down' });
    });
  });

  it('signs in right after the provider rotated its signing key, before any key-update event', async () => {
    stack = await startStack();
    // The jwt.public-key.update event would refresh the keys: it must not be what saves this login.
    stack.idp.setWebhookUrl('http://127.0.0.1:9/nowhere');
    await loginThroughProvider(new HttpClient(stack.app.url), richard);
    const keyId = 'a0c5d0a4-0f41-4c64-8b43-2f0a4c1f2d77';
    await stack.fusionAuth.generateKey(keyId, { key: { algorithm: 'RS256' as never, name: 'rotated', length: 2048 } });
    await stack.fusionAuth.patchApplication(K.applicationId, {
      application: { jwtConfiguration: { accessTokenKeyId: keyId, idTokenKeyId: keyId } },
    });
    // The back-channel refetch is allowed once a second.
    await new Promise((r) => setTimeout(r, 1100));
    const browser = new HttpClient(stack.app.url);
    const login = await loginThroughProvider(browser, richard);
    expect(login.final.status).toBe(302);
    expect(login.final.headers.get('location')).toBe('/account');
    expect((await browser.get('/account')).status).toBe(200);
  });

  it('logout revokes the refresh token by its id, never with its value in a URL', async () => {
    const proxy = await RecordingProxy.start();
    try {
      // The service's FusionAuth API calls go through a proxy that records them.
      stack = await startStack({ env: { FUSIONAUTH_URL: proxy.url } });
      proxy.target = new URL(stack.idp.url);
      const browser = new HttpClient(stack.app.url);
      await loginThroughProvider(browser, richard);
      const page = await (await browser.get('/account')).text();
      const tokens = (await storedTokens(browser))!;

      expect((await browser.post('/auth/logout', { _csrf: csrfFrom(page) })).status).toBe(302);
      const revokes = proxy.requests.filter((r) => r.method === 'DELETE');
      expect(revokes.map((r) => r.url)).toEqual([`/api/jwt/refresh/${tokens.refreshTokenId}`]);
      for (const r of proxy.requests) {
        expect(r.url).not.toContain(tokens.refreshToken!);
        expect(r.url).not.toContain(encodeURIComponent(tokens.refreshToken!));
      }
      const live = (await stack.fusionAuth.retrieveRefreshTokens(K.richard.id)).response.refreshTokens ?? [];
      expect(live.map((t) => t.id)).not.toContain(tokens.refreshTokenId);
    } finally {
      await proxy.close();
    }
  });
});
