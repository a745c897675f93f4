import { SessionModule } from '../../src/session/session.module';
import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { Stack, startStack } from '../support/stack';
import { sessionIdOf } from '../support/hostile-login';
import { redisClient, startTestApp } from '../support/test-app';
import { TestSessionController } from '../support/test-session.controller';

/**
 * The client's address behind a proxy (issue 14). The test client stands in for the load balancer:
 * it connects from 127.0.0.1 and appends the address it saw to `X-Forwarded-For`, after whatever the
 * client itself wrote there. Only the hops TRUST_PROXY names are believed, so a client that writes a
 * new address into the header on every attempt is still counted as itself by the login rate limit.
 */
describe('the client address behind a proxy', () => {
  const LIMIT = 3;
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const start = async (trustProxy: string) => {
    stack = await startStack({ env: { TRUST_PROXY: trustProxy, RATE_LIMIT_LOGIN: `${LIMIT}/60` } });
    return stack;
  };

  /** One password attempt from `client`, through the proxy, with `claimed` written by the client. */
  async function attempt(app: Stack, client: string, claimed: string, password = 'wrong-password'): Promise<Response> {
    const browser = new HttpClient(app.app.url);
    const token = csrfFrom(await (await browser.get('/auth/password-login')).text());
    return browser.request('/auth/password-login', {
      method: 'POST',
      headers: { 'x-forwarded-for': `${claimed}, ${client}` },
      form: { email: K.richard.email, password, _csrf: token },
    });
  }

  it.each(['1', 'loopback', '127.0.0.0/8, ::1'])(
    'with TRUST_PROXY=%s a client that writes a new X-Forwarded-For each time is still rate-limited',
    async (trustProxy) => {
      const app = await start(trustProxy);
      for (let i = 0; i < LIMIT; i++) expect((await attempt(app, '203.0.113.7', `198.51.100.${i}`)).status).toBe(401);
      expect((await attempt(app, '203.0.113.7', '198.51.100.200')).status).toBe(429);
      // The limit is the client's own, not the proxy's: another client behind it still gets through.
      expect((await attempt(app, '203.0.113.8', '198.51.100.200')).status).toBe(401);
    },
  );

  it('records the address the proxy saw, not the one the client wrote, on the session', async () => {
    const app = await start('1');
    const res = await attempt(app, '203.0.113.9', '198.51.100.1', K.richard.password);
    expect(res.status).toBe(302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='))!;
    const redis = await redisClient();
    try {
      const id = sessionIdOf(cookie.split(';')[0]!.slice('sid='.length));
      const stored = JSON.parse((await redis.get(`${app.app.keyPrefix}sess:${id}`))!) as { client: { ip: string } };
      expect(stored.client.ip).toBe('203.0.113.9');
    } finally {
      redis.destroy();
    }
  });

  it('with TRUST_PROXY=false believes no header: every client behind the proxy shares its address', async () => {
    const app = await start('false');
    for (let i = 0; i < LIMIT; i++) expect((await attempt(app, `203.0.113.${i}`, `198.51.100.${i}`)).status).toBe(401);
    expect((await attempt(app, '203.0.113.50', '198.51.100.50')).status).toBe(429);
  });

  describe('X-Forwarded-Proto and the Secure session cookie', () => {
    /** Signs in through the test-only route as a TLS proxy would forward it; returns the Set-Cookie lines. */
    async function signInForwardedAsHttps(trustProxy: string): Promise<string[]> {
      const app = await startTestApp({
        controllers: [TestSessionController],
        imports: [SessionModule],
        env: { APP_URL: 'https://app.example.test', TRUST_PROXY: trustProxy },
      });
      try {
        const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
        const csrf = await fetch(`${app.url}/test/csrf`, { headers: forwarded });
        const { token } = (await csrf.json()) as { token: string };
        // The form token's cookie is Secure: sent by hand, as the browser would over https.
        const formCookie = csrf.headers.getSetCookie()[0]!.split(';')[0]!;
        const res = await fetch(`${app.url}/test/login`, {
          method: 'POST',
          headers: { ...forwarded, cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ id: 'u1', _csrf: token }).toString(),
        });
        expect(res.status).toBe(204);
        return res.headers.getSetCookie();
      } finally {
        await app.close();
      }
    }

    it('believes it from a hop TRUST_PROXY trusts: the Secure __Host- cookie is set', async () => {
      expect((await signInForwardedAsHttps('loopback')).some((c) => c.startsWith('__Host-sid='))).toBe(true);
    });

    it('ignores it from a peer TRUST_PROXY does not name: no Secure cookie on what may be plain http', async () => {
      expect(await signInForwardedAsHttps('10.0.0.0/8')).toEqual([]);
    });
  });
});
