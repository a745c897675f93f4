import { decodeJwt } from 'jose';
import { SessionTokens } from '../src/session/session-tokens';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { Stack, startStack } from './support/stack';
import { redisClient } from './support/test-app';

/** The fields of FusionAuth's documented discovery document (docs: OAuth endpoints, OpenID Configuration). */
const FUSIONAUTH_DISCOVERY_FIELDS = [
  'authorization_endpoint',
  'backchannel_logout_supported',
  'claims_supported',
  'device_authorization_endpoint',
  'end_session_endpoint',
  'frontchannel_logout_supported',
  'grant_types_supported',
  'id_token_signing_alg_values_supported',
  'issuer',
  'jwks_uri',
  'response_modes_supported',
  'response_types_supported',
  'scopes_supported',
  'subject_types_supported',
  'token_endpoint',
  'token_endpoint_auth_methods_supported',
  'userinfo_endpoint',
  'userinfo_signing_alg_values_supported',
];

/** The dev IdP's OAuth side next to FusionAuth's documentation, not next to oidc-provider's defaults. */
describe("the dev IdP's OAuth endpoints, as FusionAuth has them", () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startDevIdp();
  });
  afterAll(async () => idp.close());

  const get = (path: string) => fetch(`${idp.url}${path}`, { redirect: 'manual' });

  it('publishes a discovery document with FusionAuth’s fields only: front-channel logout without session parameters', async () => {
    const document = (await (await get('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    for (const field of Object.keys(document)) expect(FUSIONAUTH_DISCOVERY_FIELDS).toContain(field);
    expect(document).toMatchObject({
      issuer: idp.issuer,
      end_session_endpoint: `${idp.issuer}/oauth2/logout`,
      frontchannel_logout_supported: true,
      backchannel_logout_supported: false,
    });
    expect(document).not.toHaveProperty('frontchannel_logout_session_supported');
    expect(document).not.toHaveProperty('revocation_endpoint');
    expect(document).not.toHaveProperty('pushed_authorization_request_endpoint');
  });

  it("serves the default tenant's document at FusionAuth's per-tenant path, and no other tenant's", async () => {
    const res = await get(`/${K.tenantId}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}/oauth2/authorize`,
      token_endpoint: `${idp.issuer}/oauth2/token`,
    });
    expect((await get('/00000000-0000-0000-0000-000000000000/.well-known/openid-configuration')).status).toBe(404);
  });

  it('has no endpoint FusionAuth lacks (RFC 7009 revocation, pushed authorization requests, RFC 8414)', async () => {
    const revoke = await fetch(`${idp.url}/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'x' }),
    });
    expect(revoke.status).toBe(404);
    expect((await fetch(`${idp.url}/request`, { method: 'POST' })).status).toBe(404);
    expect((await get('/.well-known/oauth-authorization-server')).status).toBe(404);
  });

  describe('logout', () => {
    const logoutURL = 'http://localhost:3000/auth/frontchannel-logout';
    const setBehavior = (logoutBehavior: string) =>
      fetch(`${idp.url}/api/application/${K.applicationId}`, {
        method: 'PATCH',
        headers: { authorization: K.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ application: { oauthConfiguration: { logoutBehavior } } }),
      });
    afterEach(async () => setBehavior('AllApplications'));

    it("frames each application's logout URL as configured (no iss, no sid), then redirects after 2 s", async () => {
      const browser = new HttpClient(idp.url);
      const page = await browser.get(
        `/oauth2/logout?client_id=${K.applicationId}&post_logout_redirect_uri=${encodeURIComponent('http://localhost:3000/')}&state=s1`,
      );
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toContain('no-store');
      const html = await page.text();
      const frames = [...html.matchAll(/<iframe src="([^"]+)"/g)].map((m) => m[1]);
      expect(frames).toEqual([logoutURL]);
      expect(html).toContain('<meta http-equiv="Refresh" content="2; url=http://localhost:3000/?state=s1">');
    });

    it("without a redirect URI goes to the application's logout URL", async () => {
      const html = await (await get(`/oauth2/logout?client_id=${K.applicationId}`)).text();
      expect(html).toContain(`content="2; url=${logoutURL}"`);
    });

    it('with logoutBehavior RedirectOnly, redirects at once and frames nothing', async () => {
      expect((await setBehavior('RedirectOnly')).status).toBe(200);
      const res = await get(
        `/oauth2/logout?client_id=${K.applicationId}&post_logout_redirect_uri=http://localhost:3000/`,
      );
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('http://localhost:3000/');
    });
  });
});

describe('the scope handling policy the kickstart sets', () => {
  let stack: Stack;
  afterEach(async () => stack?.close());

  async function accessTokenOfLogin(): Promise<{ claims: Record<string, unknown>; me: Record<string, unknown> }> {
    const browser = new HttpClient(stack.app.url);
    await loginThroughProvider(browser, K.richard);
    const cookie = decodeURIComponent((await browser.cookie('sid')) ?? '')
      .replace(/^s:/, '')
      .split('.')[0]!;
    const redis = await redisClient();
    const tokens = JSON.parse((await redis.get(`${stack.app.keyPrefix}session-tokens:${cookie}`))!) as SessionTokens;
    redis.destroy();
    const me = await fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    return { claims: decodeJwt(tokens.accessToken), me: (await me.json()) as Record<string, unknown> };
  }

  it('is Compatibility, so that OAuth access tokens carry the email /api/me answers with', async () => {
    stack = await startStack();
    const { claims, me } = await accessTokenOfLogin();
    expect(claims).toMatchObject({ sub: K.richard.id, email: K.richard.email, roles: ['user'] });
    expect(me).toMatchObject({ sub: K.richard.id, email: K.richard.email });
  });

  it('under Strict (FusionAuth’s default for new applications) would name the user by sub alone', async () => {
    stack = await startStack();
    await stack.fusionAuth.patchApplication(K.applicationId, {
      application: { oauthConfiguration: { scopeHandlingPolicy: 'Strict' as never } },
    });
    const { claims, me } = await accessTokenOfLogin();
    expect(claims).toMatchObject({ sub: K.richard.id, roles: ['user'] });
    expect(claims).not.toHaveProperty('email');
    expect(me.email).toBeUndefined();
  });
});
