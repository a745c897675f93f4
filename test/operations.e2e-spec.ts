import { ShutdownState } from '../src/common/shutdown-state';
import { csrfFrom, loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { Stack, startStack } from './support/stack';
import { startTestApp, TestApp } from './support/test-app';
import { fixtureEvent, postWebhook } from './support/webhooks';

const METRICS_TOKEN = 'test-only-metrics-token-0123456789';

/** What an operator relies on: readiness, metrics, request ids and rate limits, on one instance and two. */
describe('operations', () => {
  let stack: Stack;
  /** A second instance: same Redis, same key prefix, same provider. */
  let second: TestApp;

  const env = { METRICS_TOKEN };

  beforeAll(async () => {
    stack = await startStack({ env });
    second = await startTestApp({
      keyPrefix: stack.app.keyPrefix,
      env: { ...env, APP_URL: stack.app.config.appUrl, OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url },
    });
  });
  afterAll(async () => {
    await second.close();
    await stack.close();
  });

  const bearerToken = async () =>
    (
      await stack.fusionAuth.login({
        loginId: K.admin.email,
        password: K.admin.password,
        applicationId: K.applicationId,
      })
    ).response.token!;

  describe('GET /health/ready', () => {
    it('answers 200 naming Redis, the issuer and the revocation state as up', async () => {
      const res = await fetch(`${stack.app.url}/health/ready`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; info: Record<string, { status: string }> };
      expect(body.status).toBe('ok');
      expect(Object.keys(body.info).sort()).toEqual(['denylist', 'issuer:default', 'process', 'redis']);
    });

    it('answers 503 once the process is shutting down, so a balancer stops sending', async () => {
      const draining = await startTestApp({ env: { OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url } });
      try {
        draining.app.get(ShutdownState).begin();
        const res = await fetch(`${draining.url}/health/ready`);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: { process: { status: 'down', message: 'shutting down' } } });
        expect((await fetch(`${draining.url}/health/live`)).status).toBe(200);
      } finally {
        await draining.close();
      }
    });
  });

  describe('GET /metrics', () => {
    it('needs the METRICS_TOKEN bearer when one is set', async () => {
      expect((await fetch(`${stack.app.url}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${stack.app.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN.replace('0', '1')}` },
      });
      expect(wrong.status).toBe(401);
    });

    it('counts logins, refused callbacks, webhook events, denylist hits and guard latency', async () => {
      const browser = new HttpClient(stack.app.url);
      expect((await loginThroughProvider(browser, K.richard)).final.status).toBe(302);
      expect((await new HttpClient(stack.app.url).get('/auth/callback?state=x&state=y&code=z')).status).toBe(400);
      const token = await bearerToken();
      expect((await fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      const revoke = fixtureEvent('jwt.refresh-token.revoke.all-user.json', {
        userId: K.admin.id,
        user: { id: K.admin.id },
        createInstant: Date.now() + 1000,
      });
      expect((await postWebhook(stack.app.url, revoke, { idp: stack.idp })).status).toBe(200);
      expect((await fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        401,
      );

      const res = await fetch(`${stack.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      const value = (series: string) => Number(new RegExp(`^${escape(series)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      expect(value('fusionauth_guard_logins_total{way="oidc",outcome="success"}')).toBeGreaterThanOrEqual(1);
      expect(value('fusionauth_guard_callback_rejections_total{reason="login_malformed"}')).toBeGreaterThanOrEqual(1);
      expect(
        value('fusionauth_guard_webhook_events_total{type="jwt.refresh-token.revoke",outcome="applied"}'),
      ).toBeGreaterThanOrEqual(1);
      expect(value('fusionauth_guard_denylist_hits_total')).toBeGreaterThanOrEqual(1);
      expect(
        value('fusionauth_guard_guard_duration_seconds_count{guard="bearer",outcome="allowed"}'),
      ).toBeGreaterThanOrEqual(1);
      expect(
        value('fusionauth_guard_guard_duration_seconds_count{guard="bearer",outcome="refused"}'),
      ).toBeGreaterThanOrEqual(1);
      expect(value('fusionauth_guard_denylist_staleness_seconds')).toBeGreaterThanOrEqual(0);
      expect(value('fusionauth_guard_denylist_staleness_seconds')).toBeLessThan(5);
      expect(text).toContain('fusionauth_guard_process_resident_memory_bytes');
    });
  });

  describe('request ids', () => {
    it('answers with a request id, keeping a well-formed one the caller sent', async () => {
      const fresh = await fetch(`${stack.app.url}/health/live`);
      expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await fetch(`${stack.app.url}/health/live`, { headers: { 'x-request-id': 'lb-1234.abc' } });
      expect(kept.headers.get('x-request-id')).toBe('lb-1234.abc');
      const replaced = await fetch(`${stack.app.url}/health/live`, { headers: { 'x-request-id': 'x'.repeat(65) } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('two instances on one Redis', () => {
    it('accepts a session created on one instance on the other', async () => {
      const browser = new HttpClient(stack.app.url);
      const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
      await browser.post('/auth/password-login', { _csrf: csrf, email: K.richard.email, password: K.richard.password });
      expect((await browser.get('/account')).status).toBe(200);
      const cookie = await browser.jar.getCookieString(stack.app.url);
      const other = await fetch(`${second.url}/account`, { headers: { cookie }, redirect: 'manual' });
      expect(other.status).toBe(200);
      expect(await other.text()).toContain(K.richard.email);
    });

    describe('rate limits', () => {
      // Two more instances of their own (their own counters): RATE_LIMIT_LOGIN=4/60, RATE_LIMIT_WEBHOOK=6/60.
      let a: TestApp;
      let b: TestApp;
      beforeAll(async () => {
        const limits = {
          RATE_LIMIT_LOGIN: '4/60',
          RATE_LIMIT_WEBHOOK: '6/60',
          OIDC_ISSUER: stack.idp.issuer,
          FUSIONAUTH_URL: stack.idp.url,
        };
        a = await startTestApp({ env: limits });
        b = await startTestApp({ keyPrefix: a.keyPrefix, env: limits });
      });
      afterAll(async () => {
        await b.close();
        await a.close();
      });

      it('counts the webhook limit across both instances, then answers 429 with Retry-After', async () => {
        const unsigned = JSON.stringify(fixtureEvent('user.login.success.json'));
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) {
          statuses.push((await postWebhook(i % 2 === 0 ? a.url : b.url, unsigned, { signature: null })).status);
        }
        // Counted before the signature is even looked at: a flood costs no verification.
        expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
        const limited = await postWebhook(b.url, unsigned, { idp: stack.idp });
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await limited.json()).toMatchObject({ error: 'too_many_requests' });
        expect((await postWebhook(a.url, unsigned, { idp: stack.idp })).status).toBe(429);
      });

      it('limits login starts per client across both instances, with an error page for browsers', async () => {
        const seen: number[] = [];
        for (let i = 0; i < 4; i++) {
          seen.push((await fetch(`${i % 2 ? b.url : a.url}/auth/login`, { redirect: 'manual' })).status);
        }
        expect(seen).toEqual([302, 302, 302, 302]);
        const refused = await fetch(`${a.url}/auth/login`, { redirect: 'manual' });
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(refused.headers.get('content-type')).toContain('text/html');
        // Routes without a limit are never counted.
        expect((await fetch(`${a.url}/health/live`)).status).toBe(200);
        expect((await fetch(`${a.url}/`)).status).toBe(200);
      });
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
