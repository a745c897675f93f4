import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { Stack, startStack } from '../support/stack';
import { redisClient } from '../support/test-app';

/**
 * Anonymous visitors cost nothing (issue 14): the pages anyone may open without a cookie store no
 * session, so no one can fill Redis by asking for them, yet their forms are still protected against
 * cross-site requests by a signed double-submit token (csrf-csrf). A session is stored only once a
 * login starts: `/auth/login` (state, nonce, PKCE verifier) or a password form that signs in.
 */
describe('anonymous visitors', () => {
  const PAGES = ['/', '/auth/password-login', '/auth/register'];
  const VISITS = 30;
  let stack: Stack;
  let redis: Awaited<ReturnType<typeof redisClient>>;

  beforeAll(async () => {
    stack = await startStack();
    redis = await redisClient();
  });
  afterAll(async () => {
    redis.destroy();
    await stack.close();
  });

  /** Every key the service has under this test's prefix. */
  async function keys(): Promise<string[]> {
    const found: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${stack.app.keyPrefix}*`, COUNT: 500 })) {
      found.push(...batch);
    }
    return found.sort();
  }

  const sessionKeys = async () => (await keys()).filter((k) => k.startsWith(`${stack.app.keyPrefix}sess:`));

  /** A fresh browser that has opened `path` and holds its form's token and the cookie that goes with it. */
  async function browserWithForm(path = '/auth/password-login'): Promise<{ browser: HttpClient; token: string }> {
    const browser = new HttpClient(stack.app.url);
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    return { browser, token: csrfFrom(await page.text()) };
  }

  const login = (browser: HttpClient, form: Record<string, string>) =>
    browser.post('/auth/password-login', { email: K.richard.email, password: K.richard.password, ...form });

  it(`stores no key in Redis for ${VISITS} cookieless visits of each pre-login page`, async () => {
    const before = await keys();
    for (const path of PAGES) {
      for (let i = 0; i < VISITS; i++) {
        const res = await fetch(`${stack.app.url}${path}`);
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie().filter((c) => c.startsWith('sid='))).toEqual([]);
        // The password form is on the home page too; every form page carries a token.
        expect(csrfFrom(await res.text())).toMatch(/\S{32,}/);
      }
    }
    expect(await keys()).toEqual(before);
  });

  it('sets the form token cookie HttpOnly and SameSite=Lax, and replaces a tampered one (never a 500)', async () => {
    const res = await fetch(`${stack.app.url}/auth/password-login`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('csrf='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    for (const tampered of ['j:{"a":1}', 'garbage', '.', '%E0%A4%A', `${'a'.repeat(64)}.${'b'.repeat(64)}`]) {
      const page = await fetch(`${stack.app.url}/auth/password-login`, { headers: { cookie: `csrf=${tampered}` } });
      expect(page.status).toBe(200);
      const fresh = page.headers.getSetCookie().find((c) => c.startsWith('csrf='))!;
      expect(fresh).not.toContain(`csrf=${tampered};`);
      const posted = await fetch(`${stack.app.url}/auth/password-login`, {
        method: 'POST',
        headers: { cookie: `csrf=${tampered}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: tampered, email: K.richard.email, password: K.richard.password }).toString(),
      });
      expect(posted.status).toBe(403);
    }
  });

  it('refuses a password-form POST without a token, with a forged one, or with a token but no cookie (403)', async () => {
    const { browser, token } = await browserWithForm();
    const before = await sessionKeys();
    expect((await login(browser, {})).status).toBe(403);
    expect((await login(browser, { _csrf: 'forged-token' })).status).toBe(403);
    expect((await login(browser, { _csrf: `${'0'.repeat(64)}.${'1'.repeat(64)}` })).status).toBe(403);
    const cookieless = new HttpClient(stack.app.url);
    const res = await login(cookieless, { _csrf: token });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired');
    expect(await sessionKeys()).toEqual(before);
  });

  it("refuses a token taken from one browser's form in another browser (403)", async () => {
    const victim = await browserWithForm();
    const attacker = await browserWithForm();
    expect(attacker.token).not.toBe(victim.token);
    expect((await login(victim.browser, { _csrf: attacker.token })).status).toBe(403);
    expect((await login(attacker.browser, { _csrf: victim.token })).status).toBe(403);
  });

  it('accepts the form with its own token: a failed attempt stores no session, a successful one starts it', async () => {
    const { browser, token } = await browserWithForm('/');
    const before = await sessionKeys();
    const wrong = await login(browser, { _csrf: token, password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(await sessionKeys()).toEqual(before);

    const again = csrfFrom(await wrong.text());
    const ok = await login(browser, { _csrf: again });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/account');
    expect(await sessionKeys()).toHaveLength(before.length + 1);
    expect((await browser.get('/account')).status).toBe(200);
  });

  it('accepts the registration form with its token and answers field errors (400) without a session', async () => {
    const { browser, token } = await browserWithForm('/auth/register');
    const before = await sessionKeys();
    const form = { email: 'not-an-email', password: 'x', confirmPassword: 'y' };
    expect((await browser.post('/auth/register', form)).status).toBe(403);
    const res = await browser.post('/auth/register', { ...form, _csrf: token });
    expect(res.status).toBe(400);
    expect(await sessionKeys()).toEqual(before);
  });

  it('stores no session for callbacks that name no login of this browser', async () => {
    const before = await sessionKeys();
    for (const query of ['state=' + 'A'.repeat(43) + '&code=x', 'state=x&error=access_denied', 'code=x']) {
      const res = await fetch(`${stack.app.url}/auth/callback?${query}`, { redirect: 'manual' });
      expect([400, 401]).toContain(res.status);
      expect(res.headers.getSetCookie().filter((c) => c.startsWith('sid='))).toEqual([]);
    }
    expect(await sessionKeys()).toEqual(before);
  });

  it('stores a session once a login starts at /auth/login', async () => {
    const browser = new HttpClient(stack.app.url);
    const before = (await sessionKeys()).length;
    expect((await browser.get('/auth/login')).status).toBe(302);
    expect(await sessionKeys()).toHaveLength(before + 1);
  });

  it("keeps signed-in forms on the session's own token: a pre-login token does not log anyone out", async () => {
    const { browser, token } = await browserWithForm();
    expect((await login(browser, { _csrf: token })).status).toBe(302);
    const account = csrfFrom(await (await browser.get('/account')).text());
    expect((await browser.post('/auth/logout', { _csrf: token })).status).toBe(403);
    expect((await browser.post('/auth/logout', { _csrf: account })).status).toBe(302);
  });
});
