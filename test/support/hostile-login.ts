import { Env } from '../../src/config/load-config';
import { HostileProvider } from './hostile-provider';
import { HttpClient } from './http-client';
import { freePort } from './redis-server';
import { redisClient, startTestApp, StartOptions, TestApp } from './test-app';

export const CLIENT_ID = 'client-1';
export const CLIENT_SECRET = 'client-1-secret-for-tests-only';

/** The service pointed at a hostile provider through OIDC_ISSUER, as a generic OpenID provider. */
export async function startAgainst(
  provider: HostileProvider,
  env: Env = {},
  options: Omit<StartOptions, 'env' | 'port'> = {},
): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({
    ...options,
    port,
    env: {
      APP_URL: `http://127.0.0.1:${port}`,
      OIDC_ISSUER: provider.url,
      OIDC_PROVIDER: 'generic',
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      ...env,
    },
  });
}

/** Starts a login in `browser` and returns where the provider sent it back (not yet followed). */
export async function callbackUrl(browser: HttpClient, login = '/auth/login?returnTo=%2Faccount'): Promise<URL> {
  const start = await browser.get(login);
  if (start.status !== 302) throw new Error(`${login} answered ${start.status}, not a redirect to the provider`);
  const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  return new URL(authorize.headers.get('location')!);
}

export const pathOf = (url: URL | string): string => (typeof url === 'string' ? url : `${url.pathname}${url.search}`);

/** The session id inside the signed `sid` cookie. */
export const sessionIdOf = (cookie: string | undefined): string =>
  decodeURIComponent(cookie ?? '')
    .replace(/^s:/, '')
    .split('.')[0]!;

/** The browser is not signed in: /account sends it to log in, and its stored session has no user. */
export async function expectNoSession(app: TestApp, browser: HttpClient): Promise<void> {
  const res = await browser.get('/account');
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('/auth/login?returnTo=/account');
  const sid = sessionIdOf(await browser.cookie('sid'));
  if (!sid) return;
  const redis = await redisClient();
  try {
    const raw = await redis.get(`${app.keyPrefix}sess:${sid}`);
    expect(raw === null || !(JSON.parse(raw) as { user?: unknown }).user).toBe(true);
  } finally {
    redis.destroy();
  }
}

/** The callback ends on the error page (401 rejected, 400 malformed), with no token shown and no session. */
export async function expectLoginRejected(
  app: TestApp,
  browser: HttpClient,
  callback: URL | string,
  status = 401,
): Promise<string> {
  const logged = app.logger.lines.length;
  const res = await browser.get(pathOf(callback));
  expect(res.status).toBe(status);
  const page = await res.text();
  expect(page).toContain(status === 401 ? 'We could not sign you in' : 'The sign-in response was malformed');
  expect(page).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
  await expectNoSession(app, browser);
  return app.logger.lines
    .slice(logged)
    .map((l) => l.message)
    .join('\n');
}

/** The callback signs the browser in: a redirect to `location`, then /account answers 200. */
export async function expectLoginAccepted(browser: HttpClient, callback: URL, location = '/account'): Promise<void> {
  const res = await browser.get(pathOf(callback));
  expect([res.status, res.headers.get('location')]).toEqual([302, location]);
  expect((await browser.get('/account')).status).toBe(200);
}
