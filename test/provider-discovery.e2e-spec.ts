import { loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { freePort } from './support/redis-server';
import { Stack, startStack } from './support/stack';

type Readiness = { details: Record<string, { status: string }> };

/** The issuer and its discovery document, the way an operator configures them for FusionAuth. */
describe('the issuer and its discovery document', () => {
  let stack: Stack;
  afterEach(async () => stack?.close());

  it("discovers the provider through FusionAuth's per-tenant path (OIDC_DISCOVERY_URL)", async () => {
    const port = await freePort();
    const discovery = `http://127.0.0.1:${port}/${K.tenantId}/.well-known/openid-configuration`;
    stack = await startStack({ devIdp: { port }, env: { OIDC_DISCOVERY_URL: discovery } });
    expect(stack.app.config.defaultProvider.discoveryUrl).toBe(discovery);
    const browser = new HttpClient(stack.app.url);
    const login = await loginThroughProvider(browser, K.richard);
    expect(login.final.headers.get('location')).toBe('/account');
    const ready = (await (await fetch(`${stack.app.url}/health/ready`)).json()) as Readiness;
    expect(ready.details['issuer:default']?.status).toBe('up');
  });

  it('compares the issuer exactly: a trailing slash the provider does not use is another issuer', async () => {
    const port = await freePort();
    // The dev IdP's issuer has no trailing slash; the operator typed one.
    stack = await startStack({ devIdp: { port }, env: { OIDC_ISSUER: `http://127.0.0.1:${port}/` } });
    expect(stack.app.config.defaultProvider.discoveryUrl).toBe(
      `http://127.0.0.1:${port}/.well-known/openid-configuration`,
    );
    expect((await new HttpClient(stack.app.url).get('/auth/login')).status).toBe(503);
    const ready = (await (await fetch(`${stack.app.url}/health/ready`)).json()) as Readiness;
    expect(ready.details['issuer:default']?.status).toBe('down');
  });
});
