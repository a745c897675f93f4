import { randomBytes } from 'node:crypto';
import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HoldingProxy } from '../support/holding-proxy';
import { HttpClient } from '../support/http-client';
import { ShiftedClock } from '../support/shifted-clock';
import { Stack, startStack } from '../support/stack';
import { redisClient } from '../support/test-app';

const sessionIdOf = (cookie: string | undefined) =>
  decodeURIComponent(cookie ?? '')
    .replace(/^s:/, '')
    .split('.')[0]!;

/**
 * A session ended while another request of it is refreshing its tokens stays ended. FusionAuth has
 * already exchanged the refresh token; its answer is held on the way (a proxy in front of the dev
 * IdP's API) while the session is ended, then let through: neither the new tokens nor the session
 * itself are written back.
 */
describe('a session ended while one of its requests refreshes its tokens', () => {
  let stack: Stack;
  let proxy: HoldingProxy;
  const clock = new ShiftedClock();

  beforeAll(async () => {
    proxy = await HoldingProxy.start();
    stack = await startStack({
      clock,
      env: { FUSIONAUTH_URL: proxy.url, REAUTH_MAX_AGE_S: '86400', SESSION_IDLE_TIMEOUT_S: '7200' },
    });
    proxy.target = stack.idp.url;
  });
  beforeEach(() => clock.reset());
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  async function newUser(): Promise<{ id: string; email: string }> {
    const email = `race-${randomBytes(4).toString('hex')}@example.com`;
    const { response } = await stack.fusionAuth.register(undefined as unknown as string, {
      user: { email, password: 'password', firstName: 'Ra', lastName: 'Ce' },
      registration: { applicationId: K.applicationId },
    });
    return { id: response.user!.id!, email };
  }
  async function signedIn(email: string): Promise<HttpClient> {
    const browser = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    expect((await browser.post('/auth/password-login', { _csrf: csrf, email, password: 'password' })).status).toBe(302);
    return browser;
  }
  /** What the store holds for a session id: the session and its tokens. */
  async function stored(id: string): Promise<{ session: number; tokens: number }> {
    const redis = await redisClient();
    try {
      return {
        session: await redis.exists(`${stack.app.keyPrefix}sess:${id}`),
        tokens: await redis.exists(`${stack.app.keyPrefix}session-tokens:${id}`),
      };
    } finally {
      redis.destroy();
    }
  }
  const adminToken = async () =>
    (await stack.fusionAuth.login({ loginId: K.admin.email, password: 'password', applicationId: K.applicationId }))
      .response.token!;

  type Ender = (ctx: {
    browser: HttpClient;
    csrf: string;
    other: HttpClient;
    userId: string;
    admin: string;
  }) => Promise<void>;
  const enders: [string, Ender][] = [
    [
      'a logout',
      async ({ browser, csrf }) => {
        expect((await browser.post('/auth/logout', { _csrf: csrf })).status).toBe(302);
      },
    ],
    [
      '"end session" from another browser',
      async ({ other }) => {
        const page = await (await other.get('/account')).text();
        const handle = /name="session" value="([^"]+)"/.exec(page)![1]!;
        expect((await other.post('/account/sessions/end', { _csrf: csrfFrom(page), session: handle })).status).toBe(
          303,
        );
      },
    ],
    [
      "an admin's deactivation",
      async ({ userId, admin }) => {
        const res = await fetch(`${stack.app.url}/api/admin/users/${userId}/deactivate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(res.status).toBe(200);
      },
    ],
  ];

  it.each(enders)('stays ended after %s', async (_name, end) => {
    const user = await newUser();
    const browser = await signedIn(user.email);
    const other = await signedIn(user.email);
    const admin = await adminToken();
    const csrf = csrfFrom(await (await browser.get('/account')).text());
    const sessionId = sessionIdOf(await browser.cookie('sid'));
    expect(await stored(sessionId)).toEqual({ session: 1, tokens: 1 });

    // Near the access token's expiry: the next page refreshes it, and FusionAuth takes its time.
    clock.advance(3600_000 - 30_000);
    const refresh = proxy.holdNextAnswer(
      (req) => req.method === 'POST' && (req.url ?? '').startsWith('/api/jwt/refresh'),
    );
    const page = browser.get('/account');
    await refresh.answered;
    await end({ browser, csrf, other, userId: user.id, admin });
    refresh.release();

    const answered = await page;
    expect([answered.status, answered.headers.get('location')]).toEqual([302, '/auth/login?returnTo=/account']);
    expect(await stored(sessionId)).toEqual({ session: 0, tokens: 0 });
    // Whatever cookie the browser holds now, it is signed in nowhere.
    expect((await browser.get('/account')).status).toBe(302);
  });
});
