import { createHash } from 'node:crypto';
import FusionAuthClient from '@fusionauth/typescript-client';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { SessionService } from '../src/session/session.service';
import { loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { Clock } from '../src/common/clock';
import { HttpClient } from './support/http-client';
import { freePort } from './support/redis-server';
import { redisClient, startTestApp, TestApp } from './support/test-app';

/** Real time, moved ahead by hand: the IdPs keep real time, so tokens stay valid for the service. */
class ShiftedClock extends Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
  reset(): void {
    this.offset = 0;
  }
}

const richard = { email: K.richard.email, password: K.richard.password };
const sidOf = (cookie: string | undefined) =>
  decodeURIComponent(cookie ?? '')
    .replace(/^s:/, '')
    .split('.')[0]!;

/**
 * Two dev IdPs side by side (two issuers, the same kickstart: the same client id and the same user
 * ids at both) and one service trusting both: `fusionauth` (webhooks, FusionAuth API) and `partner`.
 */
describe('several identity providers at once', () => {
  let a: DevIdp;
  let b: DevIdp;
  let app: TestApp;
  const clock = new ShiftedClock();

  beforeAll(async () => {
    // Both IdPs listen before the service's port is picked (a released port could come back as theirs).
    a = await startDevIdp();
    b = await startDevIdp();
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    a.setWebhookUrl(`${appUrl}/webhooks/fusionauth`);
    for (const idp of [a, b]) await allowService(idp, appUrl);
    app = await startTestApp({
      port,
      clock,
      env: {
        APP_URL: appUrl,
        OIDC_PROVIDERS: 'fusionauth,partner',
        OIDC_FUSIONAUTH_ISSUER: a.issuer,
        FUSIONAUTH_URL: a.url,
        OIDC_PARTNER_ISSUER: b.issuer,
        OIDC_PARTNER_CLIENT_ID: K.applicationId,
        OIDC_PARTNER_CLIENT_SECRET: K.clientSecret,
        OIDC_PARTNER_KIND: 'generic',
        OIDC_PARTNER_DISPLAY_NAME: 'Partner Directory',
      },
    });
  });
  afterEach(() => clock.reset());
  afterAll(async () => {
    await app?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  /** A bearer access token from one IdP's Login API (same client id and user id at both). */
  async function accessToken(idp: DevIdp): Promise<string> {
    const { response } = await new FusionAuthClient(K.apiKey, idp.url).login({
      loginId: richard.email,
      password: richard.password,
      applicationId: K.applicationId,
    });
    return response.token!;
  }
  const me = (token: string) => fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

  async function signedIn(provider: 'fusionauth' | 'partner'): Promise<HttpClient> {
    const browser = new HttpClient(app.url);
    const login = await loginThroughProvider(browser, richard, `/auth/login?provider=${provider}`);
    expect(login.final.headers.get('location')).toBe('/account');
    expect((await browser.get('/account')).status).toBe(200);
    return browser;
  }
  const signedInStill = async (browser: HttpClient) => (await browser.get('/account')).status === 200;

  describe('login and bearer tokens', () => {
    it('offers each provider on the home page by its display name', async () => {
      const page = await (await fetch(`${app.url}/`)).text();
      expect(page).toContain('href="/auth/login?provider=fusionauth">Log in with FusionAuth<');
      expect(page).toContain('href="/auth/login?provider=partner">Log in with Partner Directory<');
    });

    it('sends each login to its own provider, and the default provider when none is named', async () => {
      const browser = new HttpClient(app.url);
      const origin = async (path: string) => new URL((await browser.get(path)).headers.get('location')!).origin;
      expect(await origin('/auth/login')).toBe(new URL(a.issuer).origin);
      expect(await origin('/auth/login?provider=fusionauth')).toBe(new URL(a.issuer).origin);
      expect(await origin('/auth/login?provider=partner')).toBe(new URL(b.issuer).origin);
      expect((await browser.get('/auth/login?provider=nobody')).status).toBe(400);
    });

    it('logs a user in through each provider, the session remembering which', async () => {
      const viaA = await signedIn('fusionauth');
      const viaB = await signedIn('partner');
      expect(await (await viaA.get('/account')).text()).toContain('via FusionAuth');
      expect(await (await viaB.get('/account')).text()).toContain('via Partner Directory');
    });

    it('takes the provider of a callback from the state bound to the session, never from the query', async () => {
      const browser = new HttpClient(app.url);
      const callback = await callbackUrl(browser, '/auth/login?provider=partner');
      // An attacker-chosen provider or issuer in the callback changes nothing: the code goes to B.
      callback.searchParams.set('provider', 'fusionauth');
      callback.searchParams.set('iss', a.issuer);
      const res = await browser.get(callback.href);
      expect(res.status).toBe(302);
      expect(await (await browser.get('/account')).text()).toContain('via Partner Directory');
    });

    it("accepts each issuer's access tokens on /api/me", async () => {
      for (const idp of [a, b]) {
        const res = await me(await accessToken(idp));
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ sub: K.richard.id, applicationId: K.applicationId });
      }
    });

    it("rejects a token of issuer A whose iss was rewritten to issuer B's", async () => {
      const token = await accessToken(a);
      const [header, , signature] = token.split('.');
      const payload = { ...decodeJwt(token), iss: b.issuer };
      const rewritten = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      const res = await me(rewritten);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it("never checks a token naming issuer B with issuer A's keys, even one A's key really signed", async () => {
      const token = await accessToken(a);
      const { kid } = decodeProtectedHeader(token);
      const key = [...a.state.keys.values()].find((k) => k.kid === kid)!;
      const forged = await new SignJWT({ ...decodeJwt(token), iss: b.issuer })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(await importJWK(key.privateJwk!, 'RS256'));
      expect((await me(forged)).status).toBe(401);
    });
  });

  describe('configuration', () => {
    it('starts without a provider whose discovery fails, naming it in the log; only its logins answer 503', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const broken = await startTestApp({
        env: {
          OIDC_PROVIDERS: 'fusionauth,broken',
          OIDC_FUSIONAUTH_ISSUER: a.issuer,
          FUSIONAUTH_URL: a.url,
          OIDC_BROKEN_ISSUER: closed,
          OIDC_BROKEN_CLIENT_ID: 'client',
          OIDC_BROKEN_CLIENT_SECRET: 'secret',
        },
      });
      try {
        expect(broken.logger.of('error').join('\n')).toContain(`provider broken: discovery at ${closed} failed`);
        expect((await fetch(`${broken.url}/auth/login?provider=broken`, { redirect: 'manual' })).status).toBe(503);
        expect((await fetch(`${broken.url}/auth/login`, { redirect: 'manual' })).status).toBe(302);
      } finally {
        await broken.close();
      }
    });
  });

  describe('front-channel logout', () => {
    async function idpSessionOf(browser: HttpClient): Promise<string> {
      const redis = await redisClient();
      try {
        const raw = await redis.get(`${app.keyPrefix}sess:${sidOf(await browser.cookie('sid'))}`);
        return (JSON.parse(raw!) as { auth: { idpSessionId: string } }).auth.idpSessionId;
      } finally {
        redis.destroy();
      }
    }
    const frontChannel = (query: Record<string, string>) =>
      fetch(`${app.url}/auth/frontchannel-logout?${new URLSearchParams(query).toString()}`);

    it("ends the service's session when the user logs out at the IdP's /oauth2/logout, and no other", async () => {
      const leaving = await signedIn('fusionauth');
      const otherBrowser = await signedIn('fusionauth');
      const atPartner = await signedIn('partner');

      const ended = await leaving.get(`${a.url}/oauth2/logout?client_id=${K.applicationId}`);
      const frames = [...(await ended.text()).matchAll(/<iframe src="([^"]+)"/g)].map((m) => m[1]!);
      // FusionAuth's way: the logout URL as configured, without iss or sid.
      expect(frames).toEqual([`${app.url}/auth/frontchannel-logout`]);
      // As the browser loads it in the provider's page: a same-site frame, with this browser's cookie.
      const res = await leaving.get(frames[0]!, {
        'sec-fetch-dest': 'iframe',
        'sec-fetch-site': 'same-site',
        referer: `${new URL(a.issuer).origin}/`,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors ${new URL(a.issuer).origin}`);
      expect(res.headers.get('x-frame-options')).toBeNull();

      expect(await signedInStill(leaving)).toBe(false);
      expect(await signedInStill(otherBrowser)).toBe(true);
      expect(await signedInStill(atPartner)).toBe(true);
    });

    it("indexes each login's SSO session per issuer in Redis, for as long as the longest session", async () => {
      const browser = await signedIn('fusionauth');
      const sid = await idpSessionOf(browser);
      const hash = createHash('sha256').update(sid).digest('base64url').slice(0, 22);
      const key = `${app.keyPrefix}idp-sessions:${app.config.provider('fusionauth')!.issuerKey}:${hash}`;
      const redis = await redisClient();
      try {
        expect(await redis.sMembers(key)).toEqual([sidOf(await browser.cookie('sid'))]);
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(app.config.session.absoluteTimeoutS);
      } finally {
        redis.destroy();
      }
    });

    it('ends nothing for another sid, an unknown iss, the other issuer, or a request without sid', async () => {
      const browser = await signedIn('fusionauth');
      const sid = await idpSessionOf(browser);
      expect(sid).toBeTruthy();
      const misses: Record<string, string>[] = [
        { iss: a.issuer, sid: `${sid}-other` },
        { iss: 'http://127.0.0.1:1', sid },
        { iss: b.issuer, sid },
        { sid },
        { iss: a.issuer },
        {},
      ];
      for (const query of misses) expect((await frontChannel(query)).status).toBe(200);
      // Not even when the browser's own cookie comes along (a top-level link from any site carries it).
      expect((await browser.get(`/auth/frontchannel-logout?iss=${encodeURIComponent(a.issuer)}`)).status).toBe(200);
      expect(await signedInStill(browser)).toBe(true);

      expect((await frontChannel({ iss: a.issuer, sid })).status).toBe(200);
      expect(await signedInStill(browser)).toBe(false);
    });

    it("may be framed only by the providers' origins", async () => {
      const named = await frontChannel({ iss: b.issuer, sid: 'x' });
      expect(named.headers.get('content-security-policy')).toBe(
        `default-src 'none'; frame-ancestors ${new URL(b.issuer).origin}`,
      );
      const unnamed = await frontChannel({});
      expect(unnamed.headers.get('content-security-policy')).toBe(
        `default-src 'none'; frame-ancestors ${new URL(a.issuer).origin} ${new URL(b.issuer).origin}`,
      );
      // Every other page still refuses to be framed at all.
      const home = await fetch(`${app.url}/`);
      expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(home.headers.get('x-frame-options')).toBe('DENY');
    });

    it('ends the session through the in-process index when SESSION_STORE=memory', async () => {
      const port = await freePort();
      const memoryUrl = `http://127.0.0.1:${port}`;
      await allowService(a, app.url, memoryUrl);
      const memory = await startTestApp({
        port,
        env: { APP_URL: memoryUrl, SESSION_STORE: 'memory', OIDC_ISSUER: a.issuer, FUSIONAUTH_URL: a.url },
      });
      try {
        const browser = new HttpClient(memory.url);
        await loginThroughProvider(browser, richard);
        expect(await signedInStill(browser)).toBe(true);
        // The SSO session's sid, as a provider following the spec would send it (the ID token's).
        const tokens = await memory.app.get(SessionService).tokensOf(sidOf(await browser.cookie('sid')));
        const sid = String(decodeJwt(tokens!.idToken!).sid);
        const query = new URLSearchParams({ iss: a.issuer, sid }).toString();
        expect((await fetch(`${memory.url}/auth/frontchannel-logout?${query}`)).status).toBe(200);
        expect(await signedInStill(browser)).toBe(false);
      } finally {
        await memory.close();
        await allowService(a, app.url);
      }
    });

    it("keeps a session ended even when the logout request itself carried that session's cookie", async () => {
      const browser = await signedIn('fusionauth');
      const cookie = sidOf(await browser.cookie('sid'));
      const sid = await idpSessionOf(browser);
      // Long enough since the last request that this one would record lastSeenAt (and save the session).
      clock.advance(61_000);
      const res = await browser.get(
        `/auth/frontchannel-logout?${new URLSearchParams({ iss: a.issuer, sid }).toString()}`,
      );
      expect(res.status).toBe(200);
      const redis = await redisClient();
      try {
        expect(await redis.exists(`${app.keyPrefix}sess:${cookie}`)).toBe(0);
      } finally {
        redis.destroy();
      }
      expect(await signedInStill(browser)).toBe(false);
    });
  });

  // Last: what A revokes stays revoked for tokens issued in the same second.
  describe('revocation per issuer', () => {
    it("revokes at A without touching B's user who has the same sub", async () => {
      const sessionA = await signedIn('fusionauth');
      const sessionB = await signedIn('partner');
      const tokenA = await accessToken(a);
      const tokenB = await accessToken(b);
      await new FusionAuthClient(K.apiKey, a.url).revokeRefreshTokensByUserId(K.richard.id);
      await a.webhooks.settled();
      const delivery = a.webhooks.deliveries.find((d) => d.event.type === 'jwt.refresh-token.revoke');
      expect(delivery?.status).toBe(200);

      expect((await me(tokenA)).status).toBe(401);
      expect(await signedInStill(sessionA)).toBe(false);
      expect((await me(tokenB)).status).toBe(200);
      expect(await signedInStill(sessionB)).toBe(true);
    });
  });
});

/** The application at this IdP allows the service's callback and calls its front-channel logout URL. */
async function allowService(idp: DevIdp, appUrl: string, ...others: string[]): Promise<void> {
  await new FusionAuthClient(K.apiKey, idp.url).patchApplication(K.applicationId, {
    application: {
      oauthConfiguration: {
        authorizedRedirectURLs: [appUrl, ...others].flatMap((url) => [`${url}/auth/callback`, `${url}/`]),
        logoutURL: `${appUrl}/auth/frontchannel-logout`,
      },
    },
  });
}

/** Follows a login up to the provider's redirect back to the service, without following that one. */
async function callbackUrl(browser: HttpClient, start: string): Promise<URL> {
  let current = new URL(start, browser.baseUrl).href;
  let res = await browser.get(current);
  for (let hops = 0; hops < 20; hops++) {
    if (res.status >= 300 && res.status < 400) {
      current = new URL(res.headers.get('location')!, current).href;
      if (current.startsWith(`${browser.baseUrl}/auth/callback`)) return new URL(current);
      res = await browser.get(current);
      continue;
    }
    const action = /<form method="post" action="([^"]+)"/.exec(await res.text())?.[1];
    if (!action) break;
    current = new URL(action, current).href;
    res = await browser.request(current, {
      method: 'POST',
      form: { loginId: richard.email, password: richard.password },
    });
  }
  throw new Error(`the provider never redirected back to the service (last: ${current})`);
}
