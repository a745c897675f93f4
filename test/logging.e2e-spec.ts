import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import FusionAuthClient from '@fusionauth/typescript-client';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { signatureJwt } from '../src/dev-idp/webhooks/webhook-sender';
import { csrfFrom, loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { freePort } from './support/redis-server';
import { startService } from './support/service-process';
import { deleteKeys, newKeyPrefix } from './support/test-app';
import { fixtureEvent, webhookKey } from './support/webhooks';

const SESSION_SECRET = 'test-only-logging-session-secret-0123456789abcdef';
const METRICS_TOKEN = 'test-only-logging-metrics-token-0123456789';

/** The compiled service as an operator runs it, its stdout and stderr read as a log collector would. */
async function startLoggedService(idp: DevIdp, extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const keyPrefix = newKeyPrefix();
  idp.setWebhookUrl(`${appUrl}/webhooks/fusionauth`);
  await new FusionAuthClient(K.apiKey, idp.url).patchApplication(K.applicationId, {
    application: { oauthConfiguration: { authorizedRedirectURLs: [`${appUrl}/auth/callback`] } },
  });
  const service = await startService(
    {
      NODE_ENV: 'development',
      APP_URL: appUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: keyPrefix,
      SESSION_STORE: 'redis',
      SESSION_SECRET,
      OIDC_ISSUER: idp.issuer,
      FUSIONAUTH_URL: idp.url,
      METRICS_TOKEN,
      LOG_LEVEL: 'trace',
      ...extraEnv,
    },
    port,
  );
  return { ...service, appUrl, keyPrefix };
}

describe('logs of the running service', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startDevIdp();
  });
  afterAll(async () => {
    await idp.close();
  });

  it('carry a request id and the scrubbed URL, and never a token, cookie, password or secret', async () => {
    const service = await startLoggedService(idp);
    const secrets = new Map<string, string>([
      ['session secret', SESSION_SECRET],
      ['metrics token', METRICS_TOKEN],
      ['client secret', K.clientSecret],
      ['API key', K.apiKey],
    ]);
    try {
      const browser = new HttpClient(service.appUrl);
      const email = `log-${randomUUID().slice(0, 8)}@example.com`;
      const firstPassword = `First-Pa55-${randomUUID()}`;
      const newPassword = `Second-Pa55-${randomUUID()}`;
      secrets.set('registration password', firstPassword).set('new password', newPassword);

      // Registration (a password in a form), then a password change.
      const form = csrfFrom(await (await browser.get('/auth/register')).text());
      const registered = await browser.post('/auth/register', {
        _csrf: form,
        firstName: 'Log',
        lastName: 'Test',
        email,
        password: firstPassword,
        confirmPassword: firstPassword,
      });
      expect(registered.status).toBe(303);
      const change = csrfFrom(await (await browser.get('/account/password')).text());
      const changed = await browser.post('/account/password', {
        _csrf: change,
        currentPassword: firstPassword,
        newPassword,
        confirmPassword: newPassword,
      });
      expect(changed.status).toBe(303);

      // The hosted login: the callback's code and state travel in a URL.
      const oidcBrowser = new HttpClient(service.appUrl);
      const login = await loginThroughProvider(oidcBrowser, { email, password: newPassword });
      expect(login.final.status).toBe(302);
      const callback = new URL(login.urls.find((u) => u.includes('/auth/callback'))!);
      secrets.set('authorization code', callback.searchParams.get('code')!);
      secrets.set('state', callback.searchParams.get('state')!);
      for (const cookie of [
        ...(await browser.jar.getCookies(service.appUrl)),
        ...(await oidcBrowser.jar.getCookies(service.appUrl)),
      ]) {
        secrets.set(`cookie ${cookie.key}`, cookie.value);
      }

      // The password-login form, and a wrong password.
      const passwordBrowser = new HttpClient(service.appUrl);
      const csrf = csrfFrom(await (await passwordBrowser.get('/auth/password-login')).text());
      expect(
        (await passwordBrowser.post('/auth/password-login', { _csrf: csrf, email, password: `${newPassword}-wrong` }))
          .status,
      ).toBe(401);
      secrets.set('wrong password', `${newPassword}-wrong`);

      // Bearer tokens, in the header and (refused) in the query string.
      const { response } = await new FusionAuthClient(K.apiKey, idp.url).login({
        loginId: email,
        password: newPassword,
        applicationId: K.applicationId,
      });
      secrets.set('access token', response.token!).set('refresh token', response.refreshToken!);
      const bearer = { authorization: `Bearer ${response.token!}` };
      expect((await fetch(`${service.appUrl}/api/me`, { headers: bearer })).status).toBe(200);
      expect((await fetch(`${service.appUrl}/api/me?access_token=${response.token!}`)).status).toBe(401);
      expect((await fetch(`${service.appUrl}/api/me`, { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(
        401,
      );

      // A signed webhook.
      const raw = JSON.stringify(fixtureEvent('user.login.success.json'));
      const signature = await signatureJwt(webhookKey(idp), raw);
      secrets.set('webhook signature', signature);
      const hook = await fetch(`${service.appUrl}/webhooks/fusionauth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-fusionauth-signature-jwt': signature },
        body: raw,
      });
      expect(hook.status).toBe(200);
      const requestId = hook.headers.get('x-request-id');

      // Probes write no line, however spelled; a URL that only looks like one is logged.
      const probes = ['/health/live', '/HEALTH/live/', '/health/live?x=1', '/health/ready'].map(
        (path) => [path, `probe-${randomUUID()}`] as const,
      );
      const probeIds = probes.map(([, id]) => id);
      for (const [path, id] of probes) {
        const probed = await fetch(`${service.appUrl}${path}`, { headers: { 'x-request-id': id } });
        expect(probed.headers.get('x-request-id')).toBe(id);
      }
      const nearMiss = `near-miss-${randomUUID()}`;
      const missed = await fetch(`${service.appUrl}/health/live-not-a-probe`, {
        headers: { 'x-request-id': nearMiss },
      });
      expect(missed.status).toBe(404);

      await new Promise((r) => setTimeout(r, 300));
      const output = service.output();
      expect(probeIds.filter((id) => output.includes(id))).toEqual([]);
      expect(output).toContain(`"id":"${nearMiss}"`);
      // The logs are there (a check on an empty log would prove nothing)...
      expect(output).toContain(`"id":"${requestId}"`);
      expect(output).toMatch(/"url":"\/auth\/callback\?[^"]*code=\[REDACTED\]/);
      expect(output).toContain('/api/me?access_token=[REDACTED]');
      // A line the code logs while handling a request names that request (its id, method, scrubbed URL).
      const signedIn = output.split('\n').find((line) => line.includes('signed in through'));
      expect(signedIn).toMatch(/"req":\{"id":"[^"]+","method":"GET","url":"\/auth\/callback\?[^"]*code=\[REDACTED\]/);
      // ...and hold none of the secrets, whole or as their first 24 characters.
      const leaked = [...secrets].filter(([, value]) => output.includes(value) || output.includes(value.slice(0, 24)));
      expect(leaked.map(([name]) => name)).toEqual([]);
    } finally {
      await service.stop();
      await deleteKeys(service.keyPrefix);
    }
  });

  it('finishes a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const service = await startLoggedService(idp, { LOG_LEVEL: 'info' });
    try {
      const raw = Buffer.from(JSON.stringify(fixtureEvent('user.login.success.json')));
      const signature = await signatureJwt(webhookKey(idp), raw.toString());
      const url = new URL(`${service.appUrl}/webhooks/fusionauth`);
      // A webhook whose body is still arriving when the signal comes.
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': raw.length,
              'x-fusionauth-signature-jwt': signature,
            },
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write(raw.subarray(0, 10));
        setTimeout(() => {
          service.child.kill('SIGTERM');
          setTimeout(() => req.end(raw.subarray(10)), 500);
        }, 200);
      });
      const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));

      await new Promise((r) => setTimeout(r, 450));
      // Shutting down: a new request is refused (the listener closed) or answered 503 (still closing).
      const probe = await fetch(`${service.appUrl}/health/live`).then(
        (res) => res.status,
        () => 'refused',
      );
      expect(['refused', 503]).toContain(probe);
      expect(await answer).toEqual({ status: 200, body: '{"status":"ignored"}' });
      expect(await exited).toBe(0);
      expect(service.output()).toContain('SIGTERM: finishing requests in flight');
    } finally {
      await service.stop();
      await deleteKeys(service.keyPrefix);
    }
  });
});
