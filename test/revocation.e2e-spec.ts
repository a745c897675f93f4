import { randomBytes, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import FusionAuthClient from '@fusionauth/typescript-client';
import { subjectKey } from '../src/denylist/revocation';
import { csrfFrom } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { freePort } from './support/redis-server';
import { redisClient, startTestApp, TestApp } from './support/test-app';
import { Stack, startStack } from './support/stack';
import { newKey } from './support/test-issuer';
import { fixtureEvent, postWebhook } from './support/webhooks';

/** Tokens carry whole seconds: a token issued "after" a revocation must come from a later second. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
}

describe('revocation: FusionAuth webhooks, the denylist and the guards', () => {
  let stack: Stack;
  let fa: FusionAuthClient;

  beforeAll(async () => {
    stack = await startStack();
    fa = stack.fusionAuth;
  });
  afterAll(async () => stack.close());

  const me = (token: string) => fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const statusOf = async (token: string) => (await me(token)).status;
  async function login(email: string, password = 'password') {
    const { response } = await fa.login({ loginId: email, password, applicationId: K.applicationId });
    return { token: response.token!, refreshTokenId: response.refreshTokenId!, userId: response.user!.id! };
  }
  /** Waits until the dev IdP's webhooks were delivered, and checks the service answered 200 to each. */
  async function delivered(type: string): Promise<string> {
    await stack.idp.webhooks.settled();
    const deliveries = stack.idp.webhooks.deliveries.filter((d) => d.event.type === type);
    const last = deliveries[deliveries.length - 1];
    expect(last?.status).toBe(200);
    return last!.event.id;
  }
  async function newUser(): Promise<{ email: string; id: string }> {
    const email = `r-${randomBytes(4).toString('hex')}@example.com`;
    const res = await fa.register(undefined as unknown as string, {
      user: { email, password: 'password', firstName: 'Rev', lastName: 'Oked' },
      registration: { applicationId: K.applicationId },
    });
    return { email, id: res.response.user!.id! };
  }

  async function passwordSession(app: TestApp, email: string): Promise<HttpClient> {
    const browser = new HttpClient(app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    expect((await browser.post('/auth/password-login', { _csrf: csrf, email, password: 'password' })).status).toBe(302);
    expect((await browser.get('/account')).status).toBe(200);
    return browser;
  }

  describe('GET /api/me', () => {
    it('answers a valid bearer token with who it names', async () => {
      const { token } = await login(K.richard.email);
      const res = await me(token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        sub: K.richard.id,
        provider: 'default',
        email: K.richard.email,
        roles: ['user'],
        applicationId: K.applicationId,
        exp: expect.any(Number),
      });
    });

    it.each([
      ['no token', {}],
      ['a malformed token', { authorization: 'Bearer not.a.token' }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ])('answers %s with 401 invalid_token', async (_name, headers) => {
      const res = await fetch(`${stack.app.url}/api/me`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('refuses a token in the query string, even with a good header', async () => {
      const { token } = await login(K.richard.email);
      const res = await fetch(`${stack.app.url}/api/me?access_token=${token}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(401);
    });
  });

  describe('each event from the dev IdP', () => {
    it('revokes every token of a user (all refresh tokens revoked), and only that user', async () => {
      const richard = await login(K.richard.email);
      const admin = await login(K.admin.email);
      await fa.revokeRefreshTokensByUserId(K.richard.id);
      await delivered('jwt.refresh-token.revoke');
      expect(await statusOf(richard.token)).toBe(401);
      expect(await statusOf(admin.token)).toBe(200);
      await nextSecond();
      expect(await statusOf((await login(K.richard.email)).token)).toBe(200);
    });

    it('revokes a user within this application', async () => {
      const richard = await login(K.richard.email);
      await fa.revokeRefreshTokensByUserIdForApplication(K.richard.id, K.applicationId);
      await delivered('jwt.refresh-token.revoke');
      expect(await statusOf(richard.token)).toBe(401);
      await nextSecond();
      expect(await statusOf((await login(K.richard.email)).token)).toBe(200);
    });

    it("revokes one refresh-token family, and leaves the user's other tokens alone", async () => {
      const first = await login(K.richard.email);
      const second = await login(K.richard.email);
      await fa.revokeRefreshTokenById(first.refreshTokenId);
      await delivered('jwt.refresh-token.revoke');
      expect(await statusOf(first.token)).toBe(401);
      expect(await statusOf(second.token)).toBe(200);
    });

    it('revokes every token of the application', async () => {
      const richard = await login(K.richard.email);
      const admin = await login(K.admin.email);
      await fa.revokeRefreshTokensByApplicationId(K.applicationId);
      await delivered('jwt.refresh-token.revoke');
      expect(await statusOf(richard.token)).toBe(401);
      expect(await statusOf(admin.token)).toBe(401);
      await nextSecond();
      expect(await statusOf((await login(K.admin.email)).token)).toBe(200);
    });

    it('revokes a deactivated user; reactivated, a new login works', async () => {
      const user = await newUser();
      const { token } = await login(user.email);
      const admin = await login(K.admin.email);
      await fa.deactivateUser(user.id);
      await delivered('user.deactivate');
      expect(await statusOf(token)).toBe(401);
      expect(await statusOf(admin.token)).toBe(200);
      await fa.reactivateUser(user.id);
      await nextSecond();
      expect(await statusOf((await login(user.email)).token)).toBe(200);
    });

    it('revokes a deleted user', async () => {
      const user = await newUser();
      const { token } = await login(user.email);
      await fa.deleteUser(user.id);
      await delivered('user.delete');
      expect(await statusOf(token)).toBe(401);
    });

    it('revokes a user whose registration was deleted', async () => {
      const user = await newUser();
      const { token } = await login(user.email);
      await fa.deleteRegistration(user.id, K.applicationId);
      await delivered('user.registration.delete');
      expect(await statusOf(token)).toBe(401);
    });

    it('revokes a user given the deactivated role, and refuses their new tokens with 403', async () => {
      const user = await newUser();
      const { token } = await login(user.email);
      await fa.patchRegistration(user.id, {
        registration: { applicationId: K.applicationId, roles: ['user', 'deactivated'] },
      });
      await delivered('user.registration.update');
      expect(await statusOf(token)).toBe(401);
      await nextSecond();
      const res = await me((await login(user.email)).token);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'account_deactivated' });
    });

    it('keeps each entry only as long as the tokens it can affect', async () => {
      const user = await newUser();
      await login(user.email);
      await fa.revokeRefreshTokensByUserId(user.id);
      await delivered('jwt.refresh-token.revoke');
      const redis = await redisClient();
      try {
        const issuerKey = stack.app.config.defaultProvider.issuerKey;
        const key = subjectKey({ kind: 'user', issuerKey, userId: user.id });
        const keys = await redis.keys(`${stack.app.keyPrefix}{dl}:${key}`);
        expect(keys).toHaveLength(1);
        const ttl = await redis.pTTL(keys[0]!);
        expect(ttl).toBeGreaterThan(3600_000);
        expect(ttl).toBeLessThanOrEqual((3600 + 60) * 1000);
      } finally {
        redis.destroy();
      }
    });
  });

  describe('the documented payloads (fixtures), signed as FusionAuth signs them', () => {
    const post = (body: object) => postWebhook(stack.app.url, body, { idp: stack.idp });

    it.each([
      [
        'jwt.refresh-token.revoke.json',
        (u: string) => ({
          userId: u,
          user: { id: u },
          applicationId: K.applicationId,
          applicationTimeToLiveInSeconds: { [K.applicationId]: 3600 },
        }),
      ],
      ['jwt.refresh-token.revoke.all-user.json', (u: string) => ({ userId: u, user: { id: u } })],
      ['user.deactivate.json', (u: string) => ({ user: { id: u } })],
      ['user.delete.json', (u: string) => ({ user: { id: u } })],
      [
        'user.registration.update.json',
        (u: string) => ({
          applicationId: K.applicationId,
          user: { id: u },
          registration: { applicationId: K.applicationId, roles: ['deactivated'] },
        }),
      ],
    ])('%s revokes the tokens issued before it, once', async (name, ids) => {
      const user = await newUser();
      const { token } = await login(user.email);
      const body = fixtureEvent(name, ids(user.id));
      const first = await post(body);
      expect([first.status, await first.json()]).toEqual([200, { status: 'applied' }]);
      expect(await statusOf(token)).toBe(401);
      const again = await post(body);
      expect([again.status, await again.json()]).toEqual([200, { status: 'duplicate' }]);
    });

    it("leaves this application's tokens alone when another application's are revoked", async () => {
      const user = await newUser();
      const { token } = await login(user.email);
      const other = '21a8893c-51b3-4964-8a50-6afb66ee8acd';
      const res = await post(
        fixtureEvent('jwt.refresh-token.revoke.json', { userId: user.id, user: { id: user.id }, applicationId: other }),
      );
      expect(await res.json()).toEqual({ status: 'applied' });
      expect(await statusOf(token)).toBe(200);
    });

    it.each(['user.login.success.json', 'user.reactivate.json'])('%s is ignored', async (name) => {
      const res = await post(fixtureEvent(name));
      expect([res.status, await res.json()]).toEqual([200, { status: 'ignored' }]);
    });

    it('jwt.public-key.update refreshes the keys at once', async () => {
      const res = await post(fixtureEvent('jwt.public-key.update.json'));
      expect([res.status, await res.json()]).toEqual([200, { status: 'applied' }]);
    });
  });

  describe('sessions', () => {
    it("ends a revoked user's sessions and sends the browser to log in", async () => {
      const user = await newUser();
      const browser = await passwordSession(stack.app, user.email);
      await fa.deactivateUser(user.id);
      await delivered('user.deactivate');
      const res = await browser.get('/account');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/auth/login?returnTo=/account');
    });

    it("admin deactivation stops richard's next API call and page; reactivation and a fresh login restore access", async () => {
      const user = await newUser();
      const browser = await passwordSession(stack.app, user.email);
      const { token } = await login(user.email);
      const admin = await login(K.admin.email);
      const adminApi = (path: string, method = 'POST') =>
        fetch(`${stack.app.url}/api/admin/users/${path}`, {
          method,
          headers: { authorization: `Bearer ${admin.token}` },
        });

      expect(
        (await fetch(`${stack.app.url}/api/admin/users/${user.id}`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(403);
      const found = await adminApi(user.id, 'GET');
      expect(await found.json()).toMatchObject({ id: user.id, email: user.email, registration: { roles: ['user'] } });

      const deactivated = await adminApi(`${user.id}/deactivate`);
      expect(deactivated.status).toBe(200);
      expect(await deactivated.json()).toMatchObject({ registration: { roles: ['user', 'deactivated'] } });
      expect(await statusOf(token)).toBe(401);
      expect((await browser.get('/account')).status).toBe(302);

      const reactivated = await adminApi(`${user.id}/reactivate`);
      expect(await reactivated.json()).toMatchObject({ registration: { roles: ['user'] } });
      await nextSecond();
      expect(await statusOf((await login(user.email)).token)).toBe(200);
      await passwordSession(stack.app, user.email);
      expect((await adminApi('00000000-0000-0000-0000-0000000000ff/deactivate')).status).toBe(404);
    });
  });

  describe('two instances on one Redis', () => {
    it("instance B rejects a token within a second of instance A's webhook 200, and ends B's session", async () => {
      const port = await freePort();
      const b = await startTestApp({
        keyPrefix: stack.app.keyPrefix,
        port,
        env: { APP_URL: `http://127.0.0.1:${port}`, OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url },
      });
      try {
        const user = await newUser();
        const { token } = await login(user.email);
        const browser = await passwordSession(b, user.email);
        expect((await fetch(`${b.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

        const body = fixtureEvent('jwt.refresh-token.revoke.all-user.json', { userId: user.id, user: { id: user.id } });
        const res = await postWebhook(stack.app.url, body, { idp: stack.idp });
        const accepted = Date.now();
        expect(res.status).toBe(200);
        let status = 200;
        while (status === 200 && Date.now() - accepted < 1000) {
          status = (await fetch(`${b.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
        }
        expect(status).toBe(401);
        expect(Date.now() - accepted).toBeLessThan(1000);
        expect((await browser.get('/account')).status).toBe(302);
      } finally {
        await b.close();
      }
    });
  });

  describe('a signing-key rotation', () => {
    it('is trusted at once after jwt.public-key.update, even while unknown keys are cooling down', async () => {
      // An unknown kid makes the service fetch the keys, then wait out a cooldown before fetching again.
      const stranger = await newKey('unknown-to-everyone');
      const forged = await new SignJWT({ sub: K.richard.id, aud: K.applicationId, iss: stack.idp.issuer })
        .setProtectedHeader({ alg: 'RS256', kid: stranger.kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(stranger.privateKey);
      expect(await statusOf(forged)).toBe(401);

      const keyId = randomUUID();
      await fa.generateKey(keyId, { key: { algorithm: 'RS256' as never, name: 'rotated', length: 2048 } });
      await fa.patchApplication(K.applicationId, {
        application: { jwtConfiguration: { accessTokenKeyId: keyId, idTokenKeyId: keyId } },
      });
      await delivered('jwt.public-key.update');
      const { token } = await login(K.richard.email);
      expect(decodeProtectedHeader(token).kid).toBe(stack.idp.state.keys.get(keyId)!.kid);
      expect(await statusOf(token)).toBe(200);
    });
  });
});
