import { randomBytes } from 'node:crypto';
import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { Stack, startStack } from '../support/stack';

/**
 * What an admin may do to accounts, and what anyone may try against their own: no admin deactivates
 * themselves or leaves the application without one; users of other applications are not ours to
 * show; a password change and a registration are rate-limited like a login, and registration can be off.
 */
describe('account rules', () => {
  describe('admins', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => stack.close());

    const token = async (email: string, password = 'password') =>
      (await stack.fusionAuth.login({ loginId: email, password, applicationId: K.applicationId })).response.token!;
    const api = (path: string, bearer: string, method = 'GET') =>
      fetch(`${stack.app.url}/api/admin/users/${path}`, { method, headers: { authorization: `Bearer ${bearer}` } });
    const rolesOf = async (userId: string) =>
      (await stack.fusionAuth.retrieveRegistration(userId, K.applicationId)).response.registration?.roles ?? [];
    async function newUser(registered: { roles: string[] } | undefined): Promise<{ id: string; email: string }> {
      const email = `u-${randomBytes(4).toString('hex')}@example.com`;
      const user = { email, password: 'password', firstName: 'New', lastName: 'User' };
      const { response } = registered
        ? await stack.fusionAuth.register(undefined as unknown as string, {
            user,
            registration: { applicationId: K.applicationId, roles: registered.roles },
          })
        : await stack.fusionAuth.createUser(undefined as unknown as string, { user });
      return { id: response.user!.id!, email };
    }
    async function adminBrowser(): Promise<HttpClient> {
      const browser = new HttpClient(stack.app.url);
      const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
      expect(
        (await browser.post('/auth/password-login', { _csrf: csrf, email: K.admin.email, password: 'password' }))
          .status,
      ).toBe(302);
      return browser;
    }

    it('refuses an admin deactivating themselves, by the API and by the page, and offers no button for it', async () => {
      const res = await api(`${K.admin.id}/deactivate`, await token(K.admin.email), 'POST');
      expect([res.status, await res.json()]).toEqual([
        403,
        expect.objectContaining({ error: 'cannot_deactivate_self' }),
      ]);
      const browser = await adminBrowser();
      const page = await (await browser.get(`/admin/users?email=${encodeURIComponent(K.admin.email)}`)).text();
      expect(page).not.toContain(`action="/admin/users/${K.admin.id}/deactivate"`);
      const csrf = csrfFrom(await (await browser.get('/account')).text());
      const posted = await browser.post(`/admin/users/${K.admin.id}/deactivate`, { _csrf: csrf });
      expect(posted.status).toBe(403);
      expect(await rolesOf(K.admin.id)).not.toContain('deactivated');
      expect((await browser.get('/account')).status).toBe(200);
    });

    it('refuses to deactivate the last admin for someone whose token still says admin but FusionAuth no longer does', async () => {
      const other = await newUser({ roles: ['admin'] });
      const stale = await token(other.email);
      // FusionAuth takes the role away; its webhook goes nowhere, so the service still accepts the token.
      stack.idp.setWebhookUrl('http://127.0.0.1:9/webhooks/fusionauth');
      try {
        const { response } = await stack.fusionAuth.retrieveRegistration(other.id, K.applicationId);
        await stack.fusionAuth.updateRegistration(other.id, {
          registration: { ...response.registration!, roles: ['user'] },
        });
        await stack.idp.webhooks.settled();
      } finally {
        stack.idp.setWebhookUrl(`${stack.app.url}/webhooks/fusionauth`);
      }
      const lastAdmin = await token(K.admin.email);
      const res = await api(`${K.admin.id}/deactivate`, stale, 'POST');
      expect([res.status, await res.json()]).toEqual([403, expect.objectContaining({ error: 'last_admin' })]);
      expect(await rolesOf(K.admin.id)).not.toContain('deactivated');
      // Refused before anything changed: not deactivated for a moment either (FusionAuth's webhook would revoke).
      await stack.idp.webhooks.settled();
      const me = await fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${lastAdmin}` } });
      expect(me.status).toBe(200);
      // A regular user is still theirs to deactivate while the token is valid: the rule is about admins.
      const regular = await newUser({ roles: ['user'] });
      expect((await api(`${regular.id}/deactivate`, stale, 'POST')).status).toBe(200);
    });

    it('lets an active admin deactivate another admin', async () => {
      const other = await newUser({ roles: ['admin'] });
      const res = await api(`${other.id}/deactivate`, await token(K.admin.email), 'POST');
      expect(res.status).toBe(200);
      expect(await rolesOf(other.id)).toContain('deactivated');
    });

    it('answers 404 for a user who is not registered for this application, by the API and the page', async () => {
      const stranger = await newUser(undefined);
      const admin = await token(K.admin.email);
      for (const [path, method] of [
        [stranger.id, 'GET'],
        [`${stranger.id}/deactivate`, 'POST'],
        [`${stranger.id}/reactivate`, 'POST'],
      ] as const) {
        const res = await api(path, admin, method);
        expect([res.status, await res.json()]).toEqual([
          404,
          { error: 'not_found', message: 'There is nothing here.' },
        ]);
      }
      const page = await (
        await (await adminBrowser()).get(`/admin/users?email=${encodeURIComponent(stranger.email)}`)
      ).text();
      expect(page).toContain('No user of this application with that email.');
      expect(page).not.toContain(stranger.id);
    });
  });

  describe('rate limits and registration', () => {
    let stack: Stack;
    afterEach(async () => stack?.close());

    /** Signs in from one client address (TRUST_PROXY=true: X-Forwarded-For is the client). */
    async function signedIn(email: string, from: string): Promise<HttpClient> {
      const browser = new HttpClient(stack.app.url);
      const xff = { 'x-forwarded-for': from };
      const csrf = csrfFrom(await (await browser.get('/auth/password-login', xff)).text());
      const res = await browser.request('/auth/password-login', {
        method: 'POST',
        headers: xff,
        form: { _csrf: csrf, email, password: 'password' },
      });
      expect(res.status).toBe(302);
      return browser;
    }
    async function wrongCurrentPassword(browser: HttpClient, from: string): Promise<Response> {
      const csrf = csrfFrom(await (await browser.get('/account/password')).text());
      return browser.request('/account/password', {
        method: 'POST',
        headers: { 'x-forwarded-for': from },
        form: {
          _csrf: csrf,
          currentPassword: 'not-it',
          newPassword: 'new-password-1',
          confirmPassword: 'new-password-1',
        },
      });
    }
    const stillTheOldPassword = async (email: string) =>
      (await stack.fusionAuth.login({ loginId: email, password: 'password', applicationId: K.applicationId }))
        .statusCode === 200;

    it('makes twelve wrong current passwords of one user, from twelve addresses, not twelve 400s', async () => {
      stack = await startStack({ env: { TRUST_PROXY: 'true', RATE_LIMIT_PASSWORD_CHANGE: '5/300' } });
      const browser = await signedIn(K.richard.email, '10.1.0.1');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await wrongCurrentPassword(browser, `10.2.0.${i + 1}`);
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([...Array<number>(5).fill(400), ...Array<number>(7).fill(429)]);
      expect(await stillTheOldPassword(K.richard.email)).toBe(true);
    });

    it('limits the password changes of one client across users like a login (RATE_LIMIT_LOGIN)', async () => {
      stack = await startStack({ env: { TRUST_PROXY: 'true', RATE_LIMIT_LOGIN: '4/60' } });
      const richard = await signedIn(K.richard.email, '10.3.0.1');
      const admin = await signedIn(K.admin.email, '10.3.0.1');
      const statuses = [];
      for (const browser of [richard, richard, admin, admin, admin]) {
        statuses.push((await wrongCurrentPassword(browser, '10.3.0.1')).status);
      }
      expect(statuses).toEqual([400, 400, 400, 400, 429]);
      // Another client is not held up by it.
      expect((await wrongCurrentPassword(admin, '10.3.0.2')).status).toBe(400);
    });

    it('rate-limits registration like a login', async () => {
      stack = await startStack({ env: { RATE_LIMIT_LOGIN: '3/60' } });
      const browser = new HttpClient(stack.app.url);
      const csrf = csrfFrom(await (await browser.get('/auth/register')).text());
      const attempt = () =>
        browser.post('/auth/register', { _csrf: csrf, email: 'not-an-email', password: 'x', confirmPassword: 'y' });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(400);
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('offers no registration with REGISTRATION_ENABLED=false, and creates no account', async () => {
      stack = await startStack({ env: { REGISTRATION_ENABLED: 'false' } });
      const browser = new HttpClient(stack.app.url);
      const home = await (await browser.get('/')).text();
      expect(home).not.toContain('href="/auth/register"');
      expect((await browser.get('/auth/register')).status).toBe(404);
      const email = `reg-${randomBytes(4).toString('hex')}@example.com`;
      const posted = await browser.post('/auth/register', {
        _csrf: csrfFrom(home),
        firstName: 'Sign',
        lastName: 'Up',
        email,
        password: 'long-enough-1',
        confirmPassword: 'long-enough-1',
      });
      expect(posted.status).toBe(404);
      await expect(stack.fusionAuth.retrieveUserByEmail(email)).rejects.toMatchObject({ statusCode: 404 });
    });
  });
});
