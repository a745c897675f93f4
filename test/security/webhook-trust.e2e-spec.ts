import { randomBytes, randomUUID } from 'node:crypto';
import FusionAuthClient from '@fusionauth/typescript-client';
import { decodeJwt, SignJWT } from 'jose';
import { DevIdp } from '../../src/dev-idp/dev-idp';
import { signatureJwt } from '../../src/dev-idp/webhooks/webhook-sender';
import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K, startDevIdp } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { freePort } from '../support/redis-server';
import { Stack, startStack } from '../support/stack';
import { startTestApp, TestApp } from '../support/test-app';
import { newKey } from '../support/test-issuer';
import { fixtureEvent, webhookKey } from '../support/webhooks';

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Waits for the IdP's webhooks of a type and checks the service answered each with 200. */
async function delivered(idp: DevIdp, type: string): Promise<void> {
  await idp.webhooks.settled();
  const deliveries = idp.webhooks.deliveries.filter((d) => d.event.type === type);
  expect(deliveries.length).toBeGreaterThan(0);
  expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));
}

/**
 * What FusionAuth changes must change here at once: a role taken away at FusionAuth is gone from
 * every token and session issued before (not only when they expire).
 */
describe('a role taken away at FusionAuth', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  async function newUser(roles: string[]): Promise<{ id: string; email: string }> {
    const email = `t-${randomBytes(4).toString('hex')}@example.com`;
    const { response } = await stack.fusionAuth.register(undefined as unknown as string, {
      user: { email, password: 'password' },
      registration: { applicationId: K.applicationId, roles },
    });
    return { id: response.user!.id!, email };
  }
  async function token(email: string): Promise<string> {
    const { response } = await stack.fusionAuth.login({
      loginId: email,
      password: 'password',
      applicationId: K.applicationId,
    });
    return response.token!;
  }
  async function session(email: string): Promise<HttpClient> {
    const browser = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    expect((await browser.post('/auth/password-login', { _csrf: csrf, email, password: 'password' })).status).toBe(302);
    return browser;
  }
  const adminApi = (t: string) => fetch(`${stack.app.url}/api/admin/users/${K.richard.id}`, bearer(t));

  it('revokes a demoted admin: their admin token and their session stop working, a new token has no admin role', async () => {
    const admin = await newUser(['admin', 'user']);
    const before = await token(admin.email);
    const browser = await session(admin.email);
    expect((await adminApi(before)).status).toBe(200);
    expect((await browser.get('/admin/users')).status).toBe(200);

    await stack.fusionAuth.patchRegistration(admin.id, {
      registration: { applicationId: K.applicationId, roles: ['user'] },
    });
    await delivered(stack.idp, 'user.registration.update');

    expect((await adminApi(before)).status).toBe(401);
    expect((await browser.get('/admin/users')).status).toBe(302);
    await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
    const after = await token(admin.email);
    expect((await fetch(`${stack.app.url}/api/me`, bearer(after))).status).toBe(200);
    expect((await adminApi(after)).status).toBe(403);
  });

  it('leaves a user alone who was given a role', async () => {
    const user = await newUser(['user']);
    const before = await token(user.email);
    await stack.fusionAuth.patchRegistration(user.id, {
      registration: { applicationId: K.applicationId, roles: ['user', 'admin'] },
    });
    await delivered(stack.idp, 'user.registration.update');
    expect((await fetch(`${stack.app.url}/api/me`, bearer(before))).status).toBe(200);
  });
});

/**
 * FusionAuth relays the `token` a client hands in to /api/jwt/refresh as `original`, unchecked
 * (apis/jwt/refresh-a-jwt): only a token the service itself would accept, of the refreshing user,
 * is revoked, so a client cannot get someone else's token revoked.
 */
describe("jwt.refresh's original, which the client chooses", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  const login = async (email: string) =>
    (await stack.fusionAuth.login({ loginId: email, password: 'password', applicationId: K.applicationId })).response;
  const me = async (t: string) => (await fetch(`${stack.app.url}/api/me`, bearer(t))).status;
  /** The attacker refreshes their own session, handing in `original`. */
  async function refreshHandingIn(original: string): Promise<void> {
    const attacker = await login(K.admin.email);
    await stack.fusionAuth.exchangeRefreshTokenForJWT({ refreshToken: attacker.refreshToken, token: original });
    await delivered(stack.idp, 'jwt.refresh');
  }

  it("ignores another user's token handed in for a refresh", async () => {
    const victim = await login(K.richard.email);
    await refreshHandingIn(victim.token!);
    expect(await me(victim.token!)).toBe(200);
  });

  it("ignores a forged token naming another token's jti, even as the attacker's own", async () => {
    const victim = await login(K.richard.email);
    const { jti } = decodeJwt(victim.token!);
    const stranger = await newKey('stranger');
    const forged = await new SignJWT({ sub: K.admin.id, aud: K.applicationId, iss: stack.idp.issuer, jti })
      .setProtectedHeader({ alg: 'RS256', kid: stranger.kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    await refreshHandingIn(forged);
    expect(await me(victim.token!)).toBe(200);
  });
});

/**
 * Two FusionAuths (`OIDC_PROVIDERS=fusionauth,partner`, both of kind fusionauth): each posts to its
 * own path and is verified with its own issuer's keys and its own pinned webhook key, so each one's
 * revocations apply, and neither can sign for the other.
 */
describe('two FusionAuth providers', () => {
  let a: DevIdp;
  let b: DevIdp;
  let app: TestApp;
  let partnerKid: string;

  beforeAll(async () => {
    // Both IdPs listen before the service's port is picked (a released port could come back as theirs).
    a = await startDevIdp();
    b = await startDevIdp();
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    a.setWebhookUrl(`${appUrl}/webhooks/fusionauth`);
    b.setWebhookUrl(`${appUrl}/webhooks/fusionauth/partner`);
    // B signs its webhooks with a key of its own (A's kickstart key is in B's key set too).
    const keyId = randomUUID();
    const partner = new FusionAuthClient(K.apiKey, b.url);
    await partner.generateKey(keyId, { key: { algorithm: 'RS256' as never, name: 'partner webhooks', length: 2048 } });
    const webhook = [...b.state.webhooks.values()][0]!;
    await partner.patchWebhook(webhook.id!, {
      webhook: { signatureConfiguration: { enabled: true, signingKeyId: keyId } },
    });
    partnerKid = b.state.keys.get(keyId)!.kid;
    app = await startTestApp({
      port,
      env: {
        APP_URL: appUrl,
        OIDC_PROVIDERS: 'fusionauth,partner',
        OIDC_FUSIONAUTH_ISSUER: a.issuer,
        FUSIONAUTH_URL: a.url,
        OIDC_PARTNER_KIND: 'fusionauth',
        OIDC_PARTNER_ISSUER: b.issuer,
        OIDC_PARTNER_CLIENT_ID: K.applicationId,
        OIDC_PARTNER_CLIENT_SECRET: K.clientSecret,
        OIDC_PARTNER_FUSIONAUTH_URL: b.url,
        OIDC_PARTNER_FUSIONAUTH_API_KEY: K.apiKey,
        OIDC_PARTNER_WEBHOOK_SIGNING_KEY_ID: partnerKid,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  async function tokenAt(idp: DevIdp): Promise<string> {
    const { response } = await new FusionAuthClient(K.apiKey, idp.url).login({
      loginId: K.richard.email,
      password: K.richard.password,
      applicationId: K.applicationId,
    });
    return response.token!;
  }
  const me = async (t: string) => (await fetch(`${app.url}/api/me`, bearer(t))).status;
  const post = async (path: string, raw: string, signature: string) =>
    (
      await fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-fusionauth-signature-jwt': signature },
        body: raw,
      })
    ).status;

  it("applies the second FusionAuth's revocations, through its own path, to its own users only", async () => {
    const atA = await tokenAt(a);
    const atB = await tokenAt(b);
    await new FusionAuthClient(K.apiKey, b.url).revokeRefreshTokensByUserId(K.richard.id);
    await delivered(b, 'jwt.refresh-token.revoke');
    expect(await me(atB)).toBe(401);
    expect(await me(atA)).toBe(200);
  });

  it("refuses each FusionAuth's signature on the other's path", async () => {
    const raw = JSON.stringify(fixtureEvent('user.login.success.json'));
    const signedByA = await signatureJwt(webhookKey(a), raw);
    const signedByB = await signatureJwt(webhookKey(b), raw);
    expect(webhookKey(b).kid).toBe(partnerKid);
    expect(await post('/webhooks/fusionauth', raw, signedByA)).toBe(200);
    expect(await post('/webhooks/fusionauth/fusionauth', raw, signedByA)).toBe(200);
    expect(await post('/webhooks/fusionauth/partner', raw, signedByB)).toBe(200);
    expect(await post('/webhooks/fusionauth/partner', raw, signedByA)).toBe(401);
    expect(await post('/webhooks/fusionauth', raw, signedByB)).toBe(401);
  });
});
