import { Socket } from 'node:net';
import { csrfFrom, loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { FakeClock } from './support/fake-clock';
import { HttpClient } from './support/http-client';
import { Stack, startStack } from './support/stack';

/** Every form's validation, its CSRF refusal, and what each sensitive action does. */
describe('account pages', () => {
  let stack: Stack;
  afterEach(async () => stack?.close());

  async function signedIn(email: string = K.richard.email, password = 'password'): Promise<HttpClient> {
    const browser = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    const res = await browser.post('/auth/password-login', { _csrf: csrf, email, password });
    expect(res.status).toBe(302);
    return browser;
  }
  const csrfOf = async (browser: HttpClient, path: string) => csrfFrom(await (await browser.get(path)).text());
  const bearer = async (email: string, password = 'password') =>
    (await stack.fusionAuth.login({ loginId: email, password, applicationId: K.applicationId })).response.token!;
  const me = (token: string) => fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

  describe('the account page', () => {
    it("shows who is signed in, how, until when, and the user's sessions, never cached and without script", async () => {
      stack = await startStack();
      const laptop = await signedIn();
      await signedIn();
      const res = await laptop.get('/account');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const page = await res.text();
      expect(page).toContain('Richard Hendricks');
      expect(page).toContain('email and password');
      expect(page).toContain('this browser');
      expect(page.match(/name="session" value="/g)).toHaveLength(1);
      expect(page).not.toMatch(/<script/i);
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    });

    it("reads the session and the user's other sessions in one Redis round trip", async () => {
      stack = await startStack();
      const laptop = await signedIn();
      const redisPort = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);
      // Each write the Redis client makes is one corked batch of commands: one round trip.
      const uncork = Socket.prototype.uncork;
      let writes = 0;
      Socket.prototype.uncork = function (this: Socket) {
        if (this.remotePort === redisPort && this.writableCorked === 1) writes++;
        uncork.call(this);
      };
      const counts: number[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          writes = 0;
          const res = await laptop.get('/account');
          expect(await res.text()).toContain('this browser');
          counts.push(writes);
        }
      } finally {
        Socket.prototype.uncork = uncork;
      }
      // The fewest of three pages: a background command of the stack may fall into one of them.
      expect(Math.min(...counts)).toBe(1);
    });

    it('ends another session with its button, and refuses without the CSRF token', async () => {
      stack = await startStack();
      const laptop = await signedIn();
      const phone = await signedIn();
      const page = await (await laptop.get('/account')).text();
      const handle = /name="session" value="([^"]+)"/.exec(page)![1]!;
      expect((await laptop.post('/account/sessions/end', { session: handle })).status).toBe(403);
      expect((await phone.get('/account')).status).toBe(200);
      const res = await laptop.post('/account/sessions/end', { _csrf: csrfFrom(page), session: handle });
      expect([res.status, res.headers.get('location')]).toEqual([303, '/account']);
      expect((await phone.get('/account')).status).toBe(302);
      expect((await laptop.get('/account')).status).toBe(200);
    });
  });

  describe('changing the password', () => {
    it.each([
      [
        { currentPassword: '', newPassword: 'new-password-1', confirmPassword: 'new-password-1' },
        'Enter your current password.',
      ],
      [{ currentPassword: 'password', newPassword: 'short', confirmPassword: 'short' }, 'Use at least 8 characters.'],
      [
        { currentPassword: 'password', newPassword: 'new-password-1', confirmPassword: 'new-password-2' },
        'The two new passwords do not match.',
      ],
      [
        { currentPassword: 'password', newPassword: 'password', confirmPassword: 'password' },
        'Choose a password different from the current one.',
      ],
      [
        { currentPassword: 'not-the-password', newPassword: 'new-password-1', confirmPassword: 'new-password-1' },
        'Your current password is not correct.',
      ],
    ])('shows a field error and answers 400 for %j', async (form, message) => {
      stack = await startStack();
      const browser = await signedIn();
      const res = await browser.post('/account/password', {
        _csrf: await csrfOf(browser, '/account/password'),
        ...form,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
      expect(
        (
          await stack.fusionAuth.login({
            loginId: K.richard.email,
            password: 'password',
            applicationId: K.applicationId,
          })
        ).statusCode,
      ).toBe(200);
    });

    it('refuses a change without the CSRF token, and changes nothing', async () => {
      stack = await startStack();
      const browser = await signedIn();
      const res = await browser.post('/account/password', {
        currentPassword: 'password',
        newPassword: 'new-password-1',
        confirmPassword: 'new-password-1',
      });
      expect(res.status).toBe(403);
      expect(
        (
          await stack.fusionAuth.login({
            loginId: K.richard.email,
            password: 'password',
            applicationId: K.applicationId,
          })
        ).statusCode,
      ).toBe(200);
    });

    it('changes it at FusionAuth; other sessions and older tokens end, this session stays', async () => {
      stack = await startStack();
      const here = await signedIn();
      const elsewhere = await signedIn();
      const oldToken = await bearer(K.richard.email);
      const before = await here.cookie('sid');
      const res = await here.post('/account/password', {
        _csrf: await csrfOf(here, '/account/password'),
        currentPassword: 'password',
        newPassword: 'a-brand-new-password',
        confirmPassword: 'a-brand-new-password',
      });
      expect([res.status, res.headers.get('location')]).toEqual([303, '/account?password=changed']);
      expect(await here.cookie('sid')).not.toBe(before);
      expect((await here.get('/account')).status).toBe(200);
      expect((await elsewhere.get('/account')).status).toBe(302);
      expect((await me(oldToken)).status).toBe(401);
      expect((await me(await bearer(K.richard.email, 'a-brand-new-password'))).status).toBe(200);
      await stack.idp.webhooks.settled();
      // FusionAuth's own revoke event arrived meanwhile: it ends the sessions from before, not the new one.
      expect((await here.get('/account')).status).toBe(200);
    });

    it('asks for a fresh sign-in when the last one is older than REAUTH_MAX_AGE_S, and comes back', async () => {
      const clock = new FakeClock(Date.now());
      stack = await startStack({ clock, env: { REAUTH_MAX_AGE_S: '600', SESSION_IDLE_TIMEOUT_S: '3000' } });
      const browser = new HttpClient(stack.app.url);
      await loginThroughProvider(browser, { email: K.richard.email, password: K.richard.password });
      expect((await browser.get('/account/password')).status).toBe(200);
      clock.advance(605_000);
      const stale = await browser.get('/account/password');
      expect([stale.status, stale.headers.get('location')]).toEqual([
        303,
        '/auth/login?returnTo=/account/password&reauth=1',
      ]);
      const posted = await browser.post('/account/password', {
        _csrf: await csrfOf(browser, '/account'),
        currentPassword: 'x',
      });
      expect([posted.status, posted.headers.get('location')]).toEqual([
        303,
        '/auth/login?returnTo=/account/password&reauth=1',
      ]);

      clock.set(Date.now());
      const again = await loginThroughProvider(
        browser,
        { email: K.richard.email, password: K.richard.password },
        '/auth/login?returnTo=/account/password&reauth=1',
      );
      expect(Object.fromEntries(again.authorize.searchParams)).toMatchObject({ prompt: 'login', max_age: '600' });
      // The provider asked for the password again, even though its own session was alive.
      expect(again.urls.some((u) => u.includes('/oauth2/interaction/'))).toBe(true);
      expect(again.final.headers.get('location')).toBe('/account/password');
      expect((await browser.get('/account/password')).status).toBe(200);
    });
  });

  describe('registration', () => {
    it.each([
      [
        { email: 'not-an-email', password: 'long-enough-1', confirmPassword: 'long-enough-1' },
        'Enter a valid email address.',
      ],
      [{ email: 'new-user@example.com', password: 'short', confirmPassword: 'short' }, 'Use at least 8 characters.'],
      [
        { email: 'new-user@example.com', password: 'long-enough-1', confirmPassword: 'long-enough-2' },
        'The two passwords do not match.',
      ],
      [
        { email: K.richard.email, password: 'long-enough-1', confirmPassword: 'long-enough-1' },
        'An account with this email address already exists.',
      ],
    ])('shows a field error and answers 400 for %j', async (form, message) => {
      stack = await startStack();
      const browser = new HttpClient(stack.app.url);
      const res = await browser.post('/auth/register', {
        _csrf: await csrfOf(browser, '/auth/register'),
        firstName: 'New',
        lastName: 'User',
        ...form,
      });
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain(message);
      expect(page).toContain(`value="${form.email}"`);
      expect(page).not.toContain(form.password);
    });

    it('registers through FusionAuth and signs the new user in; refuses without the CSRF token', async () => {
      stack = await startStack();
      const browser = new HttpClient(stack.app.url);
      const form = {
        firstName: 'Gilfoyle',
        lastName: 'Bertram',
        email: 'gilfoyle@example.com',
        password: 'satan-is-great-1',
        confirmPassword: 'satan-is-great-1',
      };
      expect((await browser.post('/auth/register', form)).status).toBe(403);
      const res = await browser.post('/auth/register', { _csrf: await csrfOf(browser, '/auth/register'), ...form });
      expect([res.status, res.headers.get('location')]).toEqual([303, '/account']);
      const page = await (await browser.get('/account')).text();
      expect(page).toContain('Gilfoyle Bertram');
      expect(page).toContain('gilfoyle@example.com');
      expect(
        (await stack.fusionAuth.retrieveUserByEmail('gilfoyle@example.com')).response.user?.registrations?.[0]?.roles,
      ).toEqual(['user']);
    });
  });

  describe('the admin pages', () => {
    it('are for admins only', async () => {
      stack = await startStack();
      const richard = await signedIn();
      expect((await richard.get('/admin/users')).status).toBe(403);
      const anonymous = new HttpClient(stack.app.url);
      expect((await anonymous.get('/admin/users')).status).toBe(302);
    });

    it('find a user by email, deactivate them (their session ends at once) and reactivate them', async () => {
      stack = await startStack();
      const richard = await signedIn();
      const admin = await signedIn(K.admin.email);
      const found = await (await admin.get(`/admin/users?email=${encodeURIComponent(K.richard.email)}`)).text();
      expect(found).toContain(K.richard.id);
      expect(found).toContain('Deactivate');
      const csrf = csrfFrom(found);
      expect((await admin.post(`/admin/users/${K.richard.id}/deactivate`, {})).status).toBe(403);
      expect((await richard.get('/account')).status).toBe(200);

      const res = await admin.post(`/admin/users/${K.richard.id}/deactivate`, { _csrf: csrf });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(
        `/admin/users?email=${encodeURIComponent(K.richard.email)}&done=deactivated`,
      );
      const after = await (await admin.get(res.headers.get('location')!)).text();
      expect(after).toContain('deactivated');
      expect(after).toContain('Reactivate');
      expect((await richard.get('/account')).status).toBe(302);
      const refused = await new HttpClient(stack.app.url).post('/auth/password-login', {
        _csrf: await csrfOf(new HttpClient(stack.app.url), '/auth/password-login'),
        email: K.richard.email,
        password: 'password',
      });
      expect(refused.status).toBe(403);

      expect((await admin.post(`/admin/users/${K.richard.id}/reactivate`, { _csrf: csrf })).status).toBe(303);
      await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
      expect((await (await signedIn()).get('/account')).status).toBe(200);
    });
  });
});
