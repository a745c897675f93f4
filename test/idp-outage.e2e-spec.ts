import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { loginThroughProvider } from './support/browser-login';
import { Stack, startStack } from './support/stack';

/**
 * The identity provider stopped: the service keeps what it has (sessions, cached keys), says clearly
 * that signing in cannot work right now, and readiness names the issuer that is down.
 */
describe('the identity provider stopped', () => {
  let stack: Stack;
  let idpStopped = false;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.app.close();
    if (!idpStopped) await stack.idp.close();
  });

  it('keeps existing sessions and bearer tokens working, shows the error page for a login, and reports the issuer', async () => {
    const browser = new HttpClient(stack.app.url);
    const login = await loginThroughProvider(browser, K.richard);
    expect(login.final.status).toBe(302);
    const { response } = await stack.fusionAuth.login({
      loginId: K.richard.email,
      password: K.richard.password,
      applicationId: K.applicationId,
    });
    const bearer = { authorization: `Bearer ${response.token!}` };
    expect((await fetch(`${stack.app.url}/api/me`, { headers: bearer })).status).toBe(200);

    await stack.idp.close();
    idpStopped = true;

    const account = await browser.get('/account');
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(K.richard.email);
    expect((await fetch(`${stack.app.url}/api/me`, { headers: bearer })).status).toBe(200);

    // A new login cannot reach the provider: an error page, never a redirect into nothing or a 500.
    // (A reachability answer is reused for a few seconds, so the first tries may still redirect.)
    const stranger = new HttpClient(stack.app.url);
    let attempt = await stranger.get('/auth/login');
    for (let i = 0; i < 40 && attempt.status === 302; i++) {
      await new Promise((r) => setTimeout(r, 250));
      attempt = await stranger.get('/auth/login');
    }
    expect(attempt.status).toBe(503);
    expect(await attempt.text()).toContain('identity provider cannot be reached');

    const ready = await fetch(`${stack.app.url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { error: Record<string, { status: string }> };
    expect(Object.keys(body.error)).toEqual(['issuer:default']);
    expect(body.error['issuer:default']!.status).toBe('down');
  });
});
