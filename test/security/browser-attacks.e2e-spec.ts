import { csrfFrom } from '../support/browser-login';
import { HostileProvider } from '../support/hostile-provider';
import {
  callbackUrl,
  expectLoginAccepted,
  expectLoginRejected,
  expectNoSession,
  pathOf,
  sessionIdOf,
  startAgainst,
} from '../support/hostile-login';
import { HttpClient } from '../support/http-client';
import { redisClient, TestApp } from '../support/test-app';

/**
 * A hostile browser or a hostile site acting through the victim's browser: forged and replayed
 * state (RFC 9700 4.7), open redirects (4.11), session fixation and tampered cookies (ASVS V3),
 * and state-changing requests without the session's CSRF token (ASVS 4.2.2, 50.4 in v5).
 */
describe('the browser flows against hostile clients', () => {
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
  beforeEach(() => provider.reset());

  async function signedIn(): Promise<HttpClient> {
    const browser = new HttpClient(app.url);
    await expectLoginAccepted(browser, await callbackUrl(browser));
    return browser;
  }

  describe('the state parameter', () => {
    it('refuses a callback without state as malformed (400)', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      callback.searchParams.delete('state');
      await expectLoginRejected(app, browser, callback, 400);
    });

    it('refuses a state this browser was never given', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      callback.searchParams.set('state', 'A'.repeat(43));
      expect(await expectLoginRejected(app, browser, callback)).toMatch(/state_mismatch/);
    });

    it('refuses a state replayed after it was used, in the same or another browser', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      expect((await browser.get(pathOf(callback))).status).toBe(302);
      const replayer = new HttpClient(app.url);
      await replayer.get('/auth/login');
      await expectLoginRejected(app, replayer, callback);
      expect((await browser.get(pathOf(callback))).status).toBe(401);
    });

    it('refuses a state presented again after a failed login: each state is used once', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      provider.failTokenEndpoint('error');
      await expectLoginRejected(app, browser, callback);
      provider.reset();
      expect(await expectLoginRejected(app, browser, callback)).toMatch(/state_mismatch/);
    });

    it('refuses a state presented again after the provider answered an error for it', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      const state = callback.searchParams.get('state')!;
      await expectLoginRejected(app, browser, `/auth/callback?error=access_denied&state=${state}`);
      expect(await expectLoginRejected(app, browser, callback)).toMatch(/state_mismatch/);
    });

    it("refuses a callback started in the attacker's browser and delivered to the victim's (login CSRF)", async () => {
      const attacker = new HttpClient(app.url);
      const victim = new HttpClient(app.url);
      const callback = await callbackUrl(attacker);
      await victim.get('/auth/login');
      expect(await expectLoginRejected(app, victim, callback)).toMatch(/state_mismatch/);
    });

    it('refuses a callback with a duplicated code, state or both code and error (400)', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser);
      const state = callback.searchParams.get('state')!;
      await expectLoginRejected(app, browser, `${pathOf(callback)}&code=second-code`, 400);
      await expectLoginRejected(app, browser, `${pathOf(callback)}&state=${state}`, 400);
      await expectLoginRejected(app, browser, `${pathOf(callback)}&error=access_denied`, 400);
    });
  });

  describe('returnTo', () => {
    const offSite = [
      '//evil.example/',
      'https://evil.example/',
      'https:evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
      '%2F%2Fevil.example',
      '%2f%5cevil.example',
    ];

    it.each(offSite)('never sends the browser off-site after login for returnTo=%j', async (returnTo) => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser, `/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
      await expectLoginAccepted(browser, callback, '/account');
    });

    it('keeps a same-origin path with its query', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser, '/auth/login?returnTo=%2Faccount%3Ftab%3D1');
      const res = await browser.get(pathOf(callback));
      expect(res.headers.get('location')).toBe('/account?tab=1');
    });

    it('keeps encoded slashes inside a path harmless: the browser stays on this origin', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser, `/auth/login?returnTo=${encodeURIComponent('/%2F/evil.example')}`);
      const location = (await browser.get(pathOf(callback))).headers.get('location')!;
      expect(new URL(location, app.url).origin).toBe(new URL(app.url).origin);
    });
  });

  describe('session fixation', () => {
    it('gives the browser a new session id at login, and the planted one never becomes signed in', async () => {
      const attacker = new HttpClient(app.url);
      await attacker.get('/auth/login');
      const planted = (await attacker.jar.getCookies(app.url)).find((c) => c.key === 'sid')!;
      const victim = new HttpClient(app.url);
      await victim.jar.setCookie(planted.toString(), app.url);

      const callback = await callbackUrl(victim);
      expect(sessionIdOf(await victim.cookie('sid'))).toBe(sessionIdOf(planted.value));
      await expectLoginAccepted(victim, callback);
      expect(sessionIdOf(await victim.cookie('sid'))).not.toBe(sessionIdOf(planted.value));

      await expectNoSession(app, attacker);
      const redis = await redisClient();
      try {
        expect(await redis.exists(`${app.keyPrefix}sess:${sessionIdOf(planted.value)}`)).toBe(0);
      } finally {
        redis.destroy();
      }
    });

    it('ignores a session id the attacker made up (unsigned or wrongly signed)', async () => {
      const victim = new HttpClient(app.url);
      await victim.jar.setCookie('sid=s%3Aattacker-chosen-id.bm90LWEtc2lnbmF0dXJl; Path=/', app.url);
      const callback = await callbackUrl(victim);
      await expectLoginAccepted(victim, callback);
      expect(sessionIdOf(await victim.cookie('sid'))).not.toBe('attacker-chosen-id');
    });
  });

  describe('a tampered session cookie', () => {
    const tamper: [string, (value: string) => string][] = [
      ['a changed signature', (v) => v.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))],
      ['a changed session id', (v) => v.replace(/^s%3A./, (p) => `${p.slice(0, -1)}${p.endsWith('x') ? 'y' : 'x'}`)],
      ['no signature', (v) => v.split('.')[0]!],
      ['broken percent-encoding', () => '%E0%A4%A'],
      ['a very long value', () => 'x'.repeat(4000)],
    ];

    it.each(tamper)('with %s signs nobody in, and never answers 500', async (_name, change) => {
      const browser = await signedIn();
      const value = (await browser.jar.getCookies(app.url)).find((c) => c.key === 'sid')!.value;
      const cookie = { cookie: `sid=${change(value)}` };
      const account = await fetch(`${app.url}/account`, { headers: cookie, redirect: 'manual' });
      expect([account.status, account.headers.get('location')]).toEqual([302, '/auth/login?returnTo=/account']);
      expect((await fetch(`${app.url}/`, { headers: cookie, redirect: 'manual' })).status).toBe(200);
      const logout = await fetch(`${app.url}/auth/logout`, { method: 'POST', headers: cookie, redirect: 'manual' });
      expect(logout.status).toBe(403);
      // The real session was not harmed by the forgery.
      expect((await browser.get('/account')).status).toBe(200);
    });

    it('is HttpOnly and SameSite=Lax, so scripts cannot read it and cross-site posts do not carry it', async () => {
      const res = await new HttpClient(app.url).get('/auth/login');
      const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='))!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
    });
  });

  describe('CSRF', () => {
    it('refuses a logout without the CSRF token, and the session survives', async () => {
      const browser = await signedIn();
      expect((await browser.post('/auth/logout')).status).toBe(403);
      expect((await browser.post('/auth/logout', { _csrf: 'forged-token' })).status).toBe(403);
      expect((await browser.get('/account')).status).toBe(200);
    });

    it("refuses a logout carrying another session's CSRF token", async () => {
      const victim = await signedIn();
      const attacker = await signedIn();
      const attackerToken = csrfFrom(await (await attacker.get('/account')).text());
      expect((await victim.post('/auth/logout', { _csrf: attackerToken })).status).toBe(403);
      expect((await victim.get('/account')).status).toBe(200);
    });

    it('logs out with the right token (so the refusals above are about the token)', async () => {
      const browser = await signedIn();
      const token = csrfFrom(await (await browser.get('/account')).text());
      const res = await browser.post('/auth/logout', { _csrf: token });
      expect(res.status).toBe(302);
      expect((await browser.get('/account')).status).toBe(302);
    });

    it.each(['/auth/password-login', '/auth/register', '/account/password'])(
      'refuses a form posted to %s without the CSRF token',
      async (path) => {
        const browser = await signedIn();
        const res = await browser.post(path, { loginId: 'x@example.com', password: 'p', currentPassword: 'p' });
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('This form has expired');
      },
    );
  });
});
