import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { CLIENT_ID, CLIENT_SECRET } from '../support/hostile-login';
import { HostileProvider } from '../support/hostile-provider';
import { HttpClient } from '../support/http-client';
import { freePort } from '../support/redis-server';
import { Stack, startStack } from '../support/stack';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Identity is bound to its issuer. The service trusts FusionAuth (the dev IdP) and a second, generic
 * provider that vouches for a user with the same `sub` as FusionAuth's admin, and `roles: ["admin"]`.
 * A generic provider's roles grant nothing (unless OIDC_<NAME>_TRUST_ROLES=true), and even trusted
 * they never reach another provider's users: the admin routes serve FusionAuth's own admins only.
 */
describe("a second provider's admin against FusionAuth's users", () => {
  let stack: Stack;
  let partner: HostileProvider;
  let trusting: TestApp;
  const partnerEnv = () => ({
    OIDC_PROVIDERS: 'fusionauth,partner',
    OIDC_PARTNER_ISSUER: partner.url,
    OIDC_PARTNER_CLIENT_ID: CLIENT_ID,
    OIDC_PARTNER_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_PARTNER_KIND: 'generic',
  });

  beforeAll(async () => {
    partner = await HostileProvider.start();
    // The partner's user has FusionAuth's admin's id, and calls itself an admin.
    partner.answerWithIdToken((auth) => partner.idToken(auth, { sub: K.admin.id, roles: ['admin'] }));
    partner.userinfo = () => ({ sub: K.admin.id, email: 'admin@partner.example' });
    stack = await startStack({ env: partnerEnv() });
    const port = await freePort();
    trusting = await startTestApp({
      port,
      env: {
        APP_URL: `http://127.0.0.1:${port}`,
        ...partnerEnv(),
        OIDC_ISSUER: stack.idp.issuer,
        FUSIONAUTH_URL: stack.idp.url,
        OIDC_PARTNER_TRUST_ROLES: 'true',
      },
    });
  });
  afterAll(async () => {
    await trusting?.close();
    await stack?.close();
    await partner?.close();
  });

  const partnerToken = () => partner.sign({ sub: K.admin.id, roles: ['admin'] }, { audience: CLIENT_ID });
  const fusionAuthToken = async (email: string = K.admin.email) =>
    (await stack.fusionAuth.login({ loginId: email, password: 'password', applicationId: K.applicationId })).response
      .token!;
  const api = (app: TestApp, path: string, token: string, method = 'GET') =>
    fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  async function richardIsDeactivated(): Promise<boolean> {
    const { response } = await stack.fusionAuth.retrieveRegistration(K.richard.id, K.applicationId);
    return response.registration?.roles?.includes('deactivated') ?? false;
  }
  async function signedInAtPartner(app: TestApp): Promise<HttpClient> {
    const browser = new HttpClient(app.url);
    const { res } = await browser.follow('/auth/login?provider=partner');
    expect([res.status, res.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    expect(await (await browser.get('/account')).text()).toContain('via Partner');
    return browser;
  }

  it('tells the same sub at the two issuers apart on /api/me, and grants the partner no roles', async () => {
    const here = await (await api(stack.app, '/api/me', await fusionAuthToken())).json();
    const there = await (await api(stack.app, '/api/me', await partnerToken())).json();
    expect(here).toMatchObject({ sub: K.admin.id, provider: 'fusionauth', roles: expect.arrayContaining(['admin']) });
    expect(there).toMatchObject({ sub: K.admin.id, provider: 'partner', roles: [] });
    // Trusted on purpose, the partner's roles count: for what the partner's users may do, not FusionAuth's.
    const trusted = await (await api(trusting, '/api/me', await partnerToken())).json();
    expect(trusted).toMatchObject({ sub: K.admin.id, provider: 'partner', roles: ['admin'] });
  });

  it.each([
    ['untrusted', () => stack.app],
    ['trusted with OIDC_PARTNER_TRUST_ROLES=true', () => trusting],
  ])("reads and deactivates no FusionAuth user with the partner's admin token (%s)", async (_name, app) => {
    const token = await partnerToken();
    const read = await api(app(), `/api/admin/users/${K.richard.id}`, token);
    expect([read.status, await read.json()]).toEqual([403, expect.objectContaining({ error: 'insufficient_role' })]);
    const deactivate = await api(app(), `/api/admin/users/${K.richard.id}/deactivate`, token, 'POST');
    expect(deactivate.status).toBe(403);
    expect(await richardIsDeactivated()).toBe(false);
    // FusionAuth's own admin still administers them.
    expect((await api(app(), `/api/admin/users/${K.richard.id}`, await fusionAuthToken())).status).toBe(200);
  });

  it.each([
    ['untrusted', () => stack.app],
    ['trusted with OIDC_PARTNER_TRUST_ROLES=true', () => trusting],
  ])('keeps a browser signed in at the partner as an admin out of the admin pages (%s)', async (_name, app) => {
    const browser = await signedInAtPartner(app());
    expect((await browser.get(`/admin/users?email=${encodeURIComponent(K.richard.email)}`)).status).toBe(403);
    const csrf = csrfFrom(await (await browser.get('/account')).text());
    const posted = await browser.post(`/admin/users/${K.richard.id}/deactivate`, { _csrf: csrf });
    expect(posted.status).toBe(403);
    expect(await richardIsDeactivated()).toBe(false);
  });

  it('shows a browser signed in at the partner no admin role and no admin link, unless trusted', async () => {
    const page = await (await (await signedInAtPartner(stack.app)).get('/account')).text();
    expect(page).not.toContain('href="/admin/users"');
    expect(page).not.toContain('<span class="role">admin</span>');
    const trustedPage = await (await (await signedInAtPartner(trusting)).get('/account')).text();
    expect(trustedPage).toContain('<span class="role">admin</span>');
  });
});
