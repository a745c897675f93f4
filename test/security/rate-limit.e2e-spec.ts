import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { Stack, startStack } from '../support/stack';
import { fixtureEvent, postWebhook } from '../support/webhooks';

/**
 * Rate limits on what an attacker can hammer without credentials (ASVS 2.2.1, 11.1.4 in v4): the
 * webhook (RATE_LIMIT_WEBHOOK) and the password login (RATE_LIMIT_LOGIN). Over the limit: 429 with
 * Retry-After (and on machine routes JSON `{"error":"too_many_requests"}`).
 */
describe('rate limits', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_WEBHOOK: '5/60', RATE_LIMIT_LOGIN: '3/60' } });
  });
  afterAll(async () => stack.close());

  /** 429 with a Retry-After within the window. */
  function expectRateLimited(res: Response): void {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  }

  it('answers the webhook with 429 and Retry-After after 5 requests in 60 s', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await postWebhook(stack.app.url, fixtureEvent('user.login.success.json'), { idp: stack.idp });
      expect(res.status).toBe(200);
    }
    const limited = await postWebhook(stack.app.url, fixtureEvent('user.login.success.json'), { idp: stack.idp });
    expectRateLimited(limited);
    expect(await limited.json()).toMatchObject({ error: 'too_many_requests' });
  });

  it('answers the password login with 429 and Retry-After after 3 attempts in 60 s', async () => {
    const browser = new HttpClient(stack.app.url);
    const attempt = async () => {
      const token = csrfFrom(await (await browser.get('/auth/password-login')).text());
      return browser.request('/auth/password-login', {
        method: 'POST',
        form: { email: K.richard.email, password: 'wrong-password', _csrf: token },
      });
    };
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    expectRateLimited(await attempt());
  });

  it('answers /auth/login, which stores a session for the login it starts, with 429 after 3 in 60 s', async () => {
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${stack.app.url}/auth/login`, { redirect: 'manual' })).status).toBe(302);
    expectRateLimited(await fetch(`${stack.app.url}/auth/login`, { redirect: 'manual' }));
  });
});
