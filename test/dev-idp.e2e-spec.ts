import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import FusionAuthClient, { Errors, LoginResponse } from '@fusionauth/typescript-client';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { DEV_DEFAULTS } from '../src/config/dev-defaults';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { KICKSTART, KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { WebhookReceiver } from './support/webhook-receiver';

const FIXTURES = join(__dirname, 'fixtures', 'fusionauth');

/** What FusionAuth's client throws for a non-2xx answer (a ClientResponse without `response`). */
interface Failure {
  statusCode: number;
  exception: Errors;
}

async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    return error as Failure;
  }
  throw new Error('expected the call to fail');
}

async function waitFor<T>(read: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the dev IdP', () => {
  let idp: DevIdp;
  let receiver: WebhookReceiver;
  let client: FusionAuthClient;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    idp = await startDevIdp({ webhookUrl: receiver.url });
    client = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
  });
  afterAll(async () => {
    await idp.close();
    await receiver.close();
  });

  describe('kickstart', () => {
    it('is a FusionAuth kickstart file whose every request the dev IdP accepted', () => {
      const file = JSON.parse(readFileSync(KICKSTART, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(file).sort()).toEqual(['apiKeys', 'requests', 'variables']);
      const requests = file.requests as { method: string; url: string; body?: unknown }[];
      for (const request of requests) {
        expect(['POST', 'PUT', 'PATCH']).toContain(request.method);
        expect(request.url).toMatch(/^\/api\//);
      }
      // Replaying it is part of starting: a refused request would have failed startDevIdp.
      expect(idp.kickstart?.requests).toHaveLength(requests.length);
    });

    it("agrees with the service's development defaults and with docker-compose.yml", () => {
      const variables = idp.kickstart!.variables;
      expect([
        variables.applicationId,
        variables.clientSecret,
        variables.apiKey,
        variables.issuer,
        variables.defaultTenantId,
      ]).toEqual([
        DEV_DEFAULTS.clientId,
        DEV_DEFAULTS.clientSecret,
        DEV_DEFAULTS.fusionAuthApiKey,
        DEV_DEFAULTS.issuer,
        DEV_DEFAULTS.fusionAuthTenantId,
      ]);
      const compose = readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8');
      const needed = [...readFileSync(KICKSTART, 'utf8').matchAll(/#\{ENV\.(\w+)\}/g)].map((m) => m[1]);
      expect(needed.length).toBeGreaterThan(0);
      for (const name of needed) expect(compose).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
      expect(compose).toMatch(/FUSIONAUTH_APP_KICKSTART_FILE: \/usr\/local\/fusionauth\/kickstart\/kickstart\.json/);
      expect(compose).toMatch(/- \.\/kickstart:\/usr\/local\/fusionauth\/kickstart/);
    });

    it('configures the application, its roles, both users, two keys and a signed webhook', () => {
      const app = idp.state.applications.get(K.applicationId)!;
      expect(app.roles?.map((r) => [r.name, r.isDefault])).toEqual([
        ['admin', false],
        ['user', true],
        ['deactivated', false],
      ]);
      expect(app.oauthConfiguration).toMatchObject({
        clientSecret: K.clientSecret,
        proofKeyForCodeExchangePolicy: 'Required',
        generateRefreshTokens: true,
        authorizedRedirectURLs: ['http://localhost:3000/auth/callback', 'http://localhost:3000/'],
      });
      expect(idp.state.userByEmail(K.richard.email, K.tenantId)?.user.registrations?.[0]?.roles).toEqual(['user']);
      expect(
        idp.state
          .userByEmail(K.admin.email, K.tenantId)
          ?.user.registrations?.find((r) => r.applicationId === K.applicationId)?.roles,
      ).toEqual(['admin', 'user']);
      expect([...idp.state.keys.values()].map((k) => k.algorithm)).toEqual(['RS256', 'RS256']);
      const [webhook] = [...idp.state.webhooks.values()];
      expect(webhook).toMatchObject({ url: receiver.url, signatureConfiguration: { enabled: true } });
      expect(idp.state.defaultTenantId).toBe(K.tenantId);
    });
  });

  describe('through @fusionauth/typescript-client', () => {
    it('logs in with the Login API and returns what LoginResponse declares', async () => {
      const res = await client.login({
        loginId: K.richard.email,
        password: K.richard.password,
        applicationId: K.applicationId,
      });
      expect(res.statusCode).toBe(200);
      const body: LoginResponse = res.response;
      expect(body.user).toMatchObject({ id: K.richard.id, email: K.richard.email, active: true });
      expect(body.refreshToken).toEqual(expect.any(String));
      expect(body.refreshTokenId).toEqual(expect.any(String));
      expect(body.tokenExpirationInstant).toBeGreaterThan(Date.now());
      expect(decodeJwt(body.token!)).toMatchObject({
        iss: idp.issuer,
        aud: K.applicationId,
        sub: K.richard.id,
        applicationId: K.applicationId,
        roles: ['user'],
        sid: body.refreshTokenId,
        authenticationType: 'PASSWORD',
        tid: K.tenantId,
      });
    });

    it('answers a wrong password or an unknown user with the same empty 404', async () => {
      const wrong = await failure(
        client.login({ loginId: K.richard.email, password: 'nope', applicationId: K.applicationId }),
      );
      const unknown = await failure(
        client.login({ loginId: 'nobody@example.com', password: 'x', applicationId: K.applicationId }),
      );
      expect([wrong.statusCode, wrong.exception]).toEqual([404, undefined]);
      expect([unknown.statusCode, unknown.exception]).toEqual([404, undefined]);
    });

    it('registers a user (combined create) with the default role, and refuses a duplicate email', async () => {
      const email = `new-${randomBytes(4).toString('hex')}@example.com`;
      const res = await client.register(undefined as unknown as string, {
        user: { email, password: 'long-enough-password', firstName: 'New' },
        registration: { applicationId: K.applicationId },
      });
      expect(res.response.registration).toMatchObject({ applicationId: K.applicationId, roles: ['user'] });
      expect(res.response.user).toMatchObject({ email, firstName: 'New', active: true });
      expect(res.response.token).toEqual(expect.any(String));
      const duplicate = await failure(
        client.register(undefined as unknown as string, {
          user: { email, password: 'long-enough-password' },
          registration: { applicationId: K.applicationId },
        }),
      );
      expect(duplicate.statusCode).toBe(400);
      expect(duplicate.exception.fieldErrors?.['user.email']?.[0]?.code).toBe('[duplicate]user.email');
      const short = await failure(
        client.register(undefined as unknown as string, {
          user: { email: `x${email}`, password: 'short' },
          registration: { applicationId: K.applicationId },
        }),
      );
      expect(short.exception.fieldErrors?.['user.password']?.[0]?.code).toBe('[tooShort]user.password');
    });

    it('retrieves users by id and email, and answers an unknown one with 404', async () => {
      expect((await client.retrieveUser(K.admin.id)).response.user?.email).toBe(K.admin.email);
      expect((await client.retrieveUserByEmail(K.richard.email)).response.user?.id).toBe(K.richard.id);
      expect((await failure(client.retrieveUser('00000000-0000-0000-0000-00000000dead'))).statusCode).toBe(404);
    });

    it('exchanges a refresh token once (one-time use): new value, same id', async () => {
      const login = (
        await client.login({ loginId: K.admin.email, password: K.admin.password, applicationId: K.applicationId })
      ).response;
      const refreshed = await client.exchangeRefreshTokenForJWT({ refreshToken: login.refreshToken });
      expect(refreshed.response.refreshTokenId).toBe(login.refreshTokenId);
      expect(refreshed.response.refreshToken).not.toBe(login.refreshToken);
      expect(decodeJwt(refreshed.response.token!)).toMatchObject({
        sid: login.refreshTokenId,
        authenticationType: 'REFRESH_TOKEN',
      });
      expect((await failure(client.exchangeRefreshTokenForJWT({ refreshToken: login.refreshToken }))).statusCode).toBe(
        400,
      );
    });

    it('revokes refresh tokens by id, by value, by user and by application', async () => {
      const login = () =>
        client.login({ loginId: K.admin.email, password: K.admin.password, applicationId: K.applicationId });
      const dead = async (refreshToken: string) =>
        (await failure(client.exchangeRefreshTokenForJWT({ refreshToken }))).statusCode === 400;

      const a = (await login()).response;
      await client.revokeRefreshTokenById(a.refreshTokenId!);
      expect(await dead(a.refreshToken!)).toBe(true);

      const b = (await login()).response;
      await client.revokeRefreshTokenByToken(b.refreshToken!);
      expect(await dead(b.refreshToken!)).toBe(true);

      const c = (await login()).response;
      await client.revokeRefreshTokensByUserIdForApplication(K.admin.id, K.applicationId);
      expect(await dead(c.refreshToken!)).toBe(true);

      const d = (await login()).response;
      await client.revokeRefreshTokensByApplicationId(K.applicationId);
      expect(await dead(d.refreshToken!)).toBe(true);

      const e = (await login()).response;
      await client.revokeRefreshTokensByUserId(K.admin.id);
      expect(await dead(e.refreshToken!)).toBe(true);
    });

    it('changes a password with the API key, checking the current one, and ends every refresh token', async () => {
      const email = `pw-${randomBytes(4).toString('hex')}@example.com`;
      await client.register(undefined as unknown as string, {
        user: { email, password: 'first-password' },
        registration: { applicationId: K.applicationId },
      });
      const before = (
        await client.login({ loginId: email, password: 'first-password', applicationId: K.applicationId })
      ).response;
      const wrong = await failure(
        client.changePasswordByIdentity({ loginId: email, currentPassword: 'nope', password: 'second-password' }),
      );
      expect(wrong.exception.fieldErrors?.currentPassword?.[0]?.code).toBe('[invalid]currentPassword');
      const res = await client.changePasswordByIdentity({
        loginId: email,
        currentPassword: 'first-password',
        password: 'second-password',
      });
      expect(res.statusCode).toBe(200);
      expect(
        (await failure(client.login({ loginId: email, password: 'first-password', applicationId: K.applicationId })))
          .statusCode,
      ).toBe(404);
      expect(
        (await client.login({ loginId: email, password: 'second-password', applicationId: K.applicationId }))
          .statusCode,
      ).toBe(200);
      expect((await failure(client.exchangeRefreshTokenForJWT({ refreshToken: before.refreshToken }))).statusCode).toBe(
        400,
      );
      const revoke = await waitFor(() =>
        receiver.ofType('jwt.refresh-token.revoke').find((r) => r.json.event.userId === before.user?.id),
      );
      expect(revoke.json.event).not.toHaveProperty('applicationId');
    });
  });

  describe('webhooks', () => {
    it('sends FusionAuth-shaped events, each signed so that jose verifies it against the JWKS', async () => {
      const email = `events-${randomBytes(4).toString('hex')}@example.com`;
      const created = await client.register(undefined as unknown as string, {
        user: { email, password: 'events-password' },
        registration: { applicationId: K.applicationId },
      });
      const userId = created.response.user!.id!;
      await client.login({ loginId: email, password: 'events-password', applicationId: K.applicationId });
      await client.patchRegistration(userId, {
        registration: { applicationId: K.applicationId, roles: ['user', 'deactivated'] },
      });
      await client.revokeRefreshTokensByUserIdForApplication(userId, K.applicationId);
      await client.deactivateUser(userId);
      await client.reactivateUser(userId);
      await client.deleteUser(userId);
      await idp.webhooks.settled();

      // Deliveries run concurrently, so the order is the order sent, and every one of them arrived.
      const sent = idp.webhooks.deliveries.filter((d) => (d.event.user as { id?: string } | undefined)?.id === userId);
      const ofUser = sent.map((d) => receiver.received.find((r) => r.json.event.id === d.event.id)!);
      expect(ofUser.every(Boolean)).toBe(true);
      const types = ofUser.map((r) => r.json.event.type);
      expect(types).toEqual([
        'user.registration.create',
        'user.login.success',
        'user.registration.update',
        'jwt.refresh-token.revoke',
        'user.deactivate',
        'user.reactivate',
        'user.delete',
      ]);
      const update = ofUser[2]!.json.event as { original: { roles: string[] }; registration: { roles: string[] } };
      expect([update.original.roles, update.registration.roles]).toEqual([['user'], ['user', 'deactivated']]);

      const jwks = createLocalJWKSet((await (await fetch(`${idp.url}/.well-known/jwks.json`)).json()) as never);
      for (const webhook of ofUser) {
        const signature = String(webhook.headers['x-fusionauth-signature-jwt']);
        expect(decodeProtectedHeader(signature)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
        const { payload } = await jwtVerify(signature, jwks, { algorithms: ['RS256'] });
        expect(payload).toEqual({ request_body_sha256: createHash('sha256').update(webhook.body).digest('base64') });
      }
    });

    it("gives each event type the shape of FusionAuth's documented payload", async () => {
      await idp.webhooks.settled();
      const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.startsWith('signature'));
      const checked: string[] = [];
      for (const file of fixtures) {
        const fixture = (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { event: Record<string, unknown> })
          .event;
        const variant = file.includes('all-user')
          ? (e: Record<string, unknown>) => !('applicationId' in e)
          : () => true;
        const ours = receiver
          .ofType(String(fixture.type))
          .map((r) => r.json.event)
          .find(variant);
        if (!ours) continue;
        checked.push(file);
        for (const [key, value] of Object.entries(fixture)) {
          expect([file, key, typeof ours[key], Array.isArray(ours[key])]).toEqual([
            file,
            key,
            typeof value,
            Array.isArray(value),
          ]);
        }
        if (fixture.user) {
          const user = ours.user as Record<string, unknown>;
          for (const key of ['active', 'email', 'id', 'passwordChangeRequired', 'usernameStatus', 'verified'])
            expect([file, key in user]).toEqual([file, true]);
        }
      }
      expect(checked.sort()).toEqual([
        'jwt.refresh-token.revoke.all-user.json',
        'jwt.refresh-token.revoke.json',
        'user.deactivate.json',
        'user.delete.json',
        'user.login.success.json',
        'user.reactivate.json',
        'user.registration.update.json',
      ]);
    });
  });

  describe('OAuth 2.0 and OpenID Connect', () => {
    const REDIRECT = 'http://localhost:3000/auth/callback';
    const authorize = (params: Record<string, string>) =>
      `/oauth2/authorize?${new URLSearchParams({ client_id: K.applicationId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid profile email offline_access', state: 'st', nonce: 'no', ...params }).toString()}`;
    const pkce = () => {
      const verifier = randomBytes(32).toString('base64url');
      return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
    };
    const basic = `Basic ${Buffer.from(`${K.applicationId}:${K.clientSecret}`).toString('base64')}`;
    const token = async (form: Record<string, string>) => {
      const res = await fetch(`${idp.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      return { status: res.status, json: (await res.json()) as Record<string, string> };
    };

    /** Authorize as a browser: the login form, then the redirect back with a code. */
    async function loginForCode(browser: HttpClient, params: Record<string, string>): Promise<URL> {
      const { res, urls } = await browser.follow(authorize(params));
      expect(res.status).toBe(200);
      const form = await browser.request(urls[urls.length - 1]!, {
        method: 'POST',
        form: { loginId: K.richard.email, password: K.richard.password },
      });
      let location = form.headers.get('location')!;
      while (!location.startsWith(REDIRECT))
        location = (await browser.get(new URL(location, idp.url).href)).headers.get('location')!;
      return new URL(location);
    }

    it('refuses an authorization request without PKCE', async () => {
      const res = await new HttpClient(idp.url).get(authorize({}));
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
    });

    it('with PKCE, issues FusionAuth-shaped tokens, refreshes once per refresh token, and logs out', async () => {
      const browser = new HttpClient(idp.url);
      const { verifier, challenge } = pkce();
      const callback = await loginForCode(browser, { code_challenge: challenge, code_challenge_method: 'S256' });
      expect(callback.searchParams.get('state')).toBe('st');
      const code = callback.searchParams.get('code')!;
      expect((await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).json.error).toBe(
        'invalid_grant',
      );
      const issued = await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
      expect(issued.status).toBe(200);
      const { access_token, id_token, refresh_token, refresh_token_id } = issued.json;

      const jwks = createLocalJWKSet((await (await fetch(`${idp.url}/.well-known/jwks.json`)).json()) as never);
      const { payload, protectedHeader } = await jwtVerify(access_token!, jwks, {
        issuer: idp.issuer,
        audience: K.applicationId,
      });
      expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
      expect(Object.keys(payload).sort()).toEqual(
        [
          'applicationId',
          'aud',
          'auth_time',
          'authenticationType',
          'email',
          'email_verified',
          'exp',
          'gty',
          'iat',
          'iss',
          'jti',
          'roles',
          'scope',
          'sid',
          'sub',
          'tid',
        ].sort(),
      );
      expect(payload).toMatchObject({
        sub: K.richard.id,
        applicationId: K.applicationId,
        roles: ['user'],
        sid: refresh_token_id,
        tid: K.tenantId,
      });
      const idToken = (await jwtVerify(id_token!, jwks, { issuer: idp.issuer, audience: K.applicationId })).payload;
      expect(idToken).toMatchObject({
        sub: K.richard.id,
        nonce: 'no',
        email: K.richard.email,
        auth_time: expect.any(Number),
        sid: expect.any(String),
      });

      const first = await token({ grant_type: 'refresh_token', refresh_token: refresh_token! });
      expect(first.status).toBe(200);
      expect(first.json.refresh_token).not.toBe(refresh_token);
      expect(decodeJwt(first.json.access_token!).sid).toBe(refresh_token_id);
      expect((await token({ grant_type: 'refresh_token', refresh_token: refresh_token! })).json.error).toBe(
        'invalid_grant',
      );

      const logout = await browser.get(
        `/oauth2/logout?${new URLSearchParams({ id_token_hint: id_token!, post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye' }).toString()}`,
      );
      const html = await logout.text();
      expect(html).toContain('url=http://localhost:3000/?state=bye');
      // FusionAuth's way: the logout URL exactly as configured, no iss and no sid.
      expect(html).toContain('<iframe src="http://localhost:3000/auth/frontchannel-logout" ');
      const again = await browser.follow(authorize({ code_challenge: challenge, code_challenge_method: 'S256' }));
      expect(await again.res.text()).toContain('name="password"');
    });

    it('revoking through the API ends an OAuth refresh token too', async () => {
      const { verifier, challenge } = pkce();
      const callback = await loginForCode(new HttpClient(idp.url), {
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const issued = await token({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
      await client.revokeRefreshTokenById(issued.json.refresh_token_id!);
      expect((await token({ grant_type: 'refresh_token', refresh_token: issued.json.refresh_token! })).json.error).toBe(
        'invalid_grant',
      );
    });
  });
});
