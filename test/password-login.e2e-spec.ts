import { decodeJwt } from 'jose';
import { SessionService } from '../src/session/session.service';
import { csrfFrom, loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { readStep, stepPage, submitPasswordLogin, submitStep, totpCode } from './support/password-login';
import { Stack, startStack } from './support/stack';
import { startTestApp } from './support/test-app';

/**
 * The password form against the dev IdP, FusionAuth's way: each further step the Login API asks
 * for, forgot password, the change-password page's step-up, and the tenant on every call.
 */
describe('password login beyond the password', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(async () => stack.close());

  const browser = () => new HttpClient(stack.app.url);
  const pageOf = async (res: Response) => ({ status: res.status, html: await res.text() });
  async function expectSignedInAs(client: HttpClient, res: Response, userId: string): Promise<void> {
    expect([res.status, res.headers.get('location')]).toEqual([302, '/account']);
    expect((await client.get('/account')).status).toBe(200);
    // The session's tokens (server side): FusionAuth's access token for this very user.
    const sid = decodeURIComponent((await client.cookie('sid'))!)
      .slice(2)
      .split('.')[0]!;
    const stored = await stack.app.app.get(SessionService).tokensOf(sid);
    expect(decodeJwt(stored!.accessToken).sub).toBe(userId);
  }

  it('signs a two-factor user in through the code step (Two Factor Login API)', async () => {
    const client = browser();
    const step = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    expect(step.path).toBe('/auth/password-login/two-factor');
    expect((await client.get('/account')).status).toBe(302);
    await expectSignedInAs(client, await submitStep(client, step, { code: totpCode() }), K.twoFactor.id);
  });

  it('asks a user who must change their password for a new one, then signs them in with it', async () => {
    const client = browser();
    const step = await stepPage(client, await submitPasswordLogin(client, K.changePassword));
    expect(step.html).toContain('An administrator asks you to choose a new password');
    const short = await pageOf(await submitStep(client, step, { password: 'short', confirmPassword: 'short' }));
    expect(short.status).toBe(400);
    const again = await readStep(client, step.path);
    const done = await submitStep(client, again, {
      password: 'dinesh-new-password',
      confirmPassword: 'dinesh-new-password',
    });
    await expectSignedInAs(client, done, K.changePassword.id);
    const next = browser();
    expect(
      (await submitPasswordLogin(next, { email: K.changePassword.email, password: 'dinesh-new-password' })).status,
    ).toBe(302);
  });

  it('tells a locked (409), a deactivated (423) and an expired (410) account apart from a wrong password', async () => {
    const locked = await pageOf(await submitPasswordLogin(browser(), K.locked));
    expect([locked.status, locked.html.includes('Too many failed login attempts.')]).toEqual([403, true]);
    await stack.fusionAuth.deactivateUser(K.admin.id);
    const deactivated = await pageOf(await submitPasswordLogin(browser(), K.admin));
    expect([deactivated.status, deactivated.html.includes('This account is locked.')]).toEqual([403, true]);
    await stack.fusionAuth.patchUser(K.richard.id, { user: { expiry: Date.now() - 1000 } });
    const expired = await pageOf(await submitPasswordLogin(browser(), K.richard));
    expect([expired.status, expired.html.includes('This account has expired.')]).toEqual([403, true]);
    for (const page of [locked, deactivated, expired]) expect(page.html).not.toContain('do not match');
  });

  it('tells an unverified user so and resends the verification email through FusionAuth', async () => {
    await stack.fusionAuth.patchTenant(K.tenantId, {
      tenant: { emailConfiguration: { verifyEmail: true, unverified: { behavior: 'Gated' as never } } },
    });
    const client = browser();
    const step = await stepPage(client, await submitPasswordLogin(client, K.unverified));
    expect(step.html).toContain('Your email address is not verified yet');
    expect(stack.idp.state.outbox.lastTo(K.unverified.email)).toBeUndefined();
    const sent = await pageOf(await submitStep(client, step, {}));
    expect(sent.html).toContain('We sent the verification email again');
    expect(stack.idp.state.outbox.lastTo(K.unverified.email)?.text).toMatch(/\/email\/verify\//);
  });

  describe('forgot password', () => {
    const forgot = async (client: HttpClient, email: string) => {
      const csrf = csrfFrom(await (await client.get('/auth/forgot-password')).text());
      return pageOf(await client.post('/auth/forgot-password', { _csrf: csrf, email }));
    };
    const resetLink = (email: string) => {
      const text = stack.idp.state.outbox.lastTo(email)!.text;
      const link = new URL(/(http\S+\/auth\/password-reset\?\S+)/.exec(text)![1]!);
      return `${link.pathname}${link.search}`;
    };

    it('answers the same for an unknown address as for a known one', async () => {
      const known = await forgot(browser(), K.richard.email);
      const unknown = await forgot(browser(), 'nobody@example.com');
      expect(known.status).toBe(200);
      expect(known.html).toContain('If an account exists for that address');
      expect(unknown.html.replace(/value="[^"]*"/g, '')).toBe(known.html.replace(/value="[^"]*"/g, ''));
      expect(stack.idp.state.outbox.lastTo('nobody@example.com')).toBeUndefined();
    });

    it('completes through the mailed link: the id leaves the URL at once, the new password signs in', async () => {
      await forgot(browser(), K.richard.email);
      const client = browser();
      const link = resetLink(K.richard.email);
      const landed = await client.get(link);
      expect([landed.status, landed.headers.get('location')]).toEqual([303, '/auth/password-login/change-password']);
      const step = await readStep(client, '/auth/password-login/change-password');
      expect(step.html).toContain('Choose a new password for your account.');
      const done = await submitStep(client, step, {
        password: 'richard-reset-password',
        confirmPassword: 'richard-reset-password',
      });
      await expectSignedInAs(client, done, K.richard.id);
      expect((await submitPasswordLogin(browser(), K.richard)).status).toBe(401);
      // The link worked once.
      const reused = browser();
      await reused.get(link);
      const stale = await readStep(reused, '/auth/password-login/change-password');
      const refused = await pageOf(
        await submitStep(reused, stale, { password: 'yet-another-password', confirmPassword: 'yet-another-password' }),
      );
      expect([
        refused.status,
        refused.html.includes('This password reset link has expired or was already used'),
      ]).toEqual([400, true]);
    });

    it('asks a two-factor user for their email and code, then changes the password with the trust token', async () => {
      await forgot(browser(), K.twoFactor.email);
      const client = browser();
      await client.get(resetLink(K.twoFactor.email));
      const step = await readStep(client, '/auth/password-login/change-password');
      const form = { password: 'jared-reset-password', confirmPassword: 'jared-reset-password' };
      const asked = await pageOf(await submitStep(client, step, form));
      expect(asked.status).toBe(400);
      expect(asked.html).toContain('name="code"');
      expect(asked.html).toContain('name="email"');
      const withCode = await readStep(client, step.path);
      const done = await submitStep(client, withCode, { ...form, email: K.twoFactor.email, code: totpCode() });
      await expectSignedInAs(client, done, K.twoFactor.id);
    });
  });

  describe('the change-password page', () => {
    it('steps a two-factor user up ([TrustTokenRequired]): their code, then the change, and they stay signed in', async () => {
      const client = browser();
      const step = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
      await submitStep(client, step, { code: totpCode() });
      const form = {
        currentPassword: 'password',
        newPassword: 'jared-changed-password',
        confirmPassword: 'jared-changed-password',
      };
      const asked = await pageOf(
        await client.post('/account/password', {
          _csrf: csrfFrom(await (await client.get('/account/password')).text()),
          ...form,
        }),
      );
      expect(asked.status).toBe(400);
      expect(asked.html).toContain('enter the code from your authenticator app too');
      const wrong = await pageOf(
        await client.post('/account/password', { _csrf: csrfFrom(asked.html), ...form, code: '000000' }),
      );
      expect([wrong.status, wrong.html.includes('That code is not correct')]).toEqual([400, true]);
      const done = await client.post('/account/password', { _csrf: csrfFrom(wrong.html), ...form, code: totpCode() });
      expect([done.status, done.headers.get('location')]).toEqual([303, '/account?password=changed']);
      expect((await client.get('/account')).status).toBe(200);
    });

    it('says a breached new password has appeared in a data breach', async () => {
      await stack.fusionAuth.patchTenant(K.tenantId, {
        tenant: { passwordValidationRules: { breachDetection: { enabled: true } } },
      });
      const client = browser();
      await submitPasswordLogin(client, K.richard);
      const csrf = csrfFrom(await (await client.get('/account/password')).text());
      const res = await pageOf(
        await client.post('/account/password', {
          _csrf: csrf,
          currentPassword: 'password',
          newPassword: 'password123',
          confirmPassword: 'password123',
        }),
      );
      expect([res.status, res.html.includes('This password has appeared in a data breach.')]).toEqual([400, true]);
    });
  });

  describe("the dev IdP's hosted login page", () => {
    it('asks a two-factor user for the code, then signs them in', async () => {
      const client = browser();
      const login = await loginThroughProvider(client, { ...K.twoFactor, code: () => totpCode() });
      expect(login.final.status).toBe(302);
      expect(login.final.headers.get('location')).toBe('/account');
      expect(await (await client.get('/account')).text()).toContain('Jared Dunn');
    });

    it("refuses a wrong code, and shows FusionAuth's message for a locked account", async () => {
      const wrong = await loginThroughProvider(browser(), { ...K.twoFactor, code: () => '000000' });
      expect(await wrong.final.text()).toContain('Invalid code.');
      const locked = await loginThroughProvider(browser(), K.locked);
      expect(await locked.final.text()).toContain('Your account has been locked. Too many failed login attempts.');
    });
  });

  describe('tenants', () => {
    it("names the kickstart's tenant on every FusionAuth call, the ambiguous ones included", async () => {
      stack.idp.state.apiCalls.splice(0);
      await submitPasswordLogin(browser(), K.richard);
      const registering = browser();
      const registerCsrf = csrfFrom(await (await registering.get('/auth/register')).text());
      await registering.post('/auth/register', {
        _csrf: registerCsrf,
        firstName: 'Big',
        lastName: 'Head',
        email: 'big-head@example.com',
        password: 'big-head-password',
        confirmPassword: 'big-head-password',
      });
      const calls = stack.idp.state.apiCalls;
      expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(
        expect.arrayContaining(['POST /api/login', 'POST /api/user/registration']),
      );
      expect(calls.filter((c) => c.tenantId !== K.tenantId)).toEqual([]);
    });

    it('configured with another tenant, reports an outage (503), never a wrong password', async () => {
      const env = { APP_URL: 'http://127.0.0.1:1', OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url };
      const other = await startTestApp({ env: { ...env, FUSIONAUTH_TENANT_ID: K.partnerTenantId } });
      try {
        const res = await pageOf(await submitPasswordLogin(new HttpClient(other.url), K.richard));
        expect(res.status).toBe(503);
        expect(res.html).not.toContain('do not match');
        expect(stack.idp.state.apiCalls.at(-1)).toMatchObject({ path: '/api/login', tenantId: K.partnerTenantId });
      } finally {
        await other.close();
      }
    });
  });
});
