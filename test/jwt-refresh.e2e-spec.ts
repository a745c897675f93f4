import { Delivery } from '../src/dev-idp/webhooks/webhook-sender';
import { loginThroughProvider } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { FakeClock } from './support/fake-clock';
import { HttpClient } from './support/http-client';
import { Stack, startStack } from './support/stack';

/** jwt.refresh as the dev IdP sends it, on both of FusionAuth's refresh paths. */
describe('jwt.refresh from the identity provider', () => {
  let stack: Stack;
  afterEach(async () => stack?.close());

  const me = (token: string) =>
    fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  async function refreshDelivery(): Promise<Delivery> {
    await stack.idp.webhooks.settled();
    const delivery = stack.idp.webhooks.deliveries.filter((d) => d.event.type === 'jwt.refresh').at(-1);
    expect(delivery?.status).toBe(200);
    return delivery!;
  }

  it('/api/jwt/refresh with the old access token: relayed as original, and rejected from then on', async () => {
    stack = await startStack();
    const { response } = await stack.fusionAuth.login({
      loginId: K.richard.email,
      password: K.richard.password,
      applicationId: K.applicationId,
    });
    const old = response.token!;
    const refreshed = await stack.fusionAuth.exchangeRefreshTokenForJWT({
      refreshToken: response.refreshToken,
      token: old,
    });
    const delivery = await refreshDelivery();
    expect(delivery.event).toMatchObject({
      userId: K.richard.id,
      applicationId: K.applicationId,
      original: old,
      token: refreshed.response.token,
      refreshToken: response.refreshToken,
    });
    expect(await me(old)).toBe(401);
    expect(await me(refreshed.response.token!)).toBe(200);
  });

  it('/api/jwt/refresh without a token, and the OAuth refresh grant: no original, nothing revoked', async () => {
    const clock = new FakeClock(Date.now());
    stack = await startStack({ clock, env: { SESSION_IDLE_TIMEOUT_S: '20000' } });
    const { response } = await stack.fusionAuth.login({
      loginId: K.richard.email,
      password: K.richard.password,
      applicationId: K.applicationId,
    });
    await stack.fusionAuth.exchangeRefreshTokenForJWT({ refreshToken: response.refreshToken });
    expect((await refreshDelivery()).event.original).toBeUndefined();
    expect(await me(response.token!)).toBe(200);

    const browser = new HttpClient(stack.app.url);
    await loginThroughProvider(browser, { email: K.richard.email, password: K.richard.password });
    // Near the access token's expiry the session refreshes it through the OAuth refresh_token grant.
    clock.advance(3550_000);
    expect((await browser.get('/account')).status).toBe(200);
    expect(stack.idp.grants.get('refresh_token')).toBe(1);
    const delivery = await refreshDelivery();
    expect(delivery.event).toMatchObject({ userId: K.richard.id, applicationId: K.applicationId });
    expect(delivery.event).not.toHaveProperty('original');
    // The OAuth grant's refresh token, not the Login API's one refreshed above.
    expect(delivery.event.refreshToken).not.toBe(response.refreshToken);
    expect(typeof delivery.event.token).toBe('string');
    expect((await browser.get('/account')).status).toBe(200);
  });
});
