import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import FusionAuthClient from '@fusionauth/typescript-client';
import { DevIdp } from '../../src/dev-idp/dev-idp';
import { loginThroughProvider } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K, startDevIdp } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { freePort } from '../support/redis-server';
import { assertBuilt, NodeProcess, startNodeProcess } from '../support/service-process';
import { deleteKeys, newKeyPrefix, TEST_SESSION_SECRET } from '../support/test-app';
import { fixtureEvent, postWebhook } from '../support/webhooks';
import { InstalledAdopter, installAdopter } from './adopter-install';

const run = promisify(execFile);

/**
 * An app of its own (test/adopter/app, the worked example of docs/extending.md) installed from the
 * tarball `npm pack` makes and importing only the package's public entry, against the real dev IdP
 * and Redis: its API, its page, its DTO and a route that forgot to declare its kind.
 */
describe('an adopter app using the packed package', () => {
  let adopter: InstalledAdopter;
  let idp: DevIdp;
  let app: NodeProcess;
  let fa: FusionAuthClient;
  const keyPrefix = newKeyPrefix();

  beforeAll(async () => {
    assertBuilt();
    adopter = await installAdopter();
    // The IdP listens before the adopter's port is picked (a released port could come back as the IdP's).
    idp = await startDevIdp();
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    idp.setWebhookUrl(`${appUrl}/webhooks/fusionauth`);
    fa = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
    await fa.patchApplication(K.applicationId, {
      application: { oauthConfiguration: { authorizedRedirectURLs: [`${appUrl}/auth/callback`] } },
    });
    app = await startNodeProcess({
      args: [adopter.main],
      port,
      env: {
        NODE_ENV: 'test',
        APP_URL: appUrl,
        OIDC_ISSUER: idp.issuer,
        FUSIONAUTH_URL: idp.url,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: keyPrefix,
        SESSION_SECRET: TEST_SESSION_SECRET,
        LOG_LEVEL: 'silent',
        RATE_LIMIT_LOGIN: '100000/60',
      },
    });
  }, 180_000);
  afterAll(async () => {
    await app?.stop(5000);
    await idp?.close();
    await deleteKeys(keyPrefix);
    adopter?.remove();
  });

  async function accessToken(email: string = K.richard.email): Promise<{ token: string; userId: string }> {
    const { response } = await fa.login({
      loginId: email,
      password: 'password',
      applicationId: K.applicationId,
    });
    return { token: response.token!, userId: response.user!.id! };
  }
  const orders = (token?: string, init: RequestInit = {}) =>
    fetch(`${app.url}/v1/orders`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
    });

  it('answers its bearer route with the user the token proves', async () => {
    const { token, userId } = await accessToken();
    const res = await orders(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: userId, orders: [] });
  });

  it('refuses its bearer route without a token, in JSON with the Bearer challenge', async () => {
    const res = await orders();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('refuses a token right after a signed webhook revoked its user’s tokens', async () => {
    const { token, userId } = await accessToken();
    expect((await orders(token)).status).toBe(200);
    const event = fixtureEvent('jwt.refresh-token.revoke.all-user.json', { userId, user: { id: userId } });
    const hook = await postWebhook(app.url, event, { idp });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toEqual({ status: 'applied' });
    const res = await orders(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    // Tokens carry whole seconds: the next tests' tokens must come from a second after the revocation.
    await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
  });

  it('answers a DTO that does not validate with 400 and the fields at fault', async () => {
    const { token } = await accessToken();
    const res = await orders(token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: '', quantity: 'many', price: 0 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fields: Record<string, string[]> };
    expect(body.error).toBe('invalid_request');
    expect(body.fields).toMatchObject({
      price: ['property price should not exist'],
      item: expect.arrayContaining(['item must be longer than or equal to 1 characters']) as unknown,
      quantity: expect.arrayContaining(['quantity must be an integer number']) as unknown,
    });
    const placed = await orders(token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'tea', quantity: 2 }),
    });
    expect(placed.status).toBe(201);
    expect(await placed.json()).toMatchObject({ item: 'tea', quantity: 2 });
  });

  it('serves its admin route to the role it names only', async () => {
    const bearer = async (email: string) => ({ authorization: `Bearer ${(await accessToken(email)).token}` });
    const forRichard = await fetch(`${app.url}/v1/orders/all`, { headers: await bearer(K.richard.email) });
    expect(forRichard.status).toBe(403);
    expect(await forRichard.json()).toMatchObject({ error: 'insufficient_role' });
    const forAdmin = await fetch(`${app.url}/v1/orders/all`, { headers: await bearer(K.admin.email) });
    expect(forAdmin.status).toBe(200);
  });

  it('runs its own check after the package has proved the user', async () => {
    const email = `outsider-${Date.now()}@elsewhere.test`;
    await fa.register(undefined as unknown as string, {
      user: { email, password: 'password' },
      registration: { applicationId: K.applicationId },
    });
    const { token } = await accessToken(email);
    const res = await orders(token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'tea', quantity: 1 }),
    });
    expect(res.status).toBe(403);
    expect((await orders(token)).status).toBe(200);
  });

  it('sends a browser to log in for its page, then renders it for richard', async () => {
    const browser = new HttpClient(app.url);
    const first = await browser.get('/orders');
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/auth/login?returnTo=/orders');
    const login = await loginThroughProvider(browser, K.richard, '/auth/login?returnTo=/orders');
    expect(login.final.status).toBe(302);
    expect(login.final.headers.get('location')).toBe('/orders');
    const page = await browser.get('/orders');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Signed in as <strong>richard@example.com</strong>');
    // The package's layout wraps the app's own view.
    expect(html).toContain('<link rel="stylesheet" href="/static/app.css">');
  });

  it('refuses a route that declares no kind, with the token that opens the declared ones', async () => {
    const { token } = await accessToken();
    const res = await fetch(`${app.url}/v1/forgotten`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('never served');
  });

  it('offers only the public entry: a path inside the package is not exported', async () => {
    const probe = (specifier: string) =>
      run(process.execPath, ['-e', `require(${JSON.stringify(specifier)})`], { cwd: adopter.dir }).then(
        () => 'loaded',
        (error: { stderr: string }) => error.stderr,
      );
    expect(await probe('fusionauth-guard')).toBe('loaded');
    expect(await probe('fusionauth-guard/dist/auth/auth.guard.js')).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(await probe('fusionauth-guard/dist/dev-idp/dev-idp.js')).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
