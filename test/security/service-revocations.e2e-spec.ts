import { randomBytes } from 'node:crypto';
import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { ShiftedClock } from '../support/shifted-clock';
import { Stack, startStack } from '../support/stack';

/** Tokens carry whole seconds: a token issued "after" a revocation must come from a later second. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));

/**
 * Revocations the service makes itself (a password change, an admin's deactivation) against a
 * provider whose clock is 20 s ahead of the service's: within the 30 s the verifier accepts, so its
 * tokens are good here. Tokens it minted just before the change carry an `iat` after the service's
 * own "now"; they are revoked all the same. FusionAuth's webhooks go nowhere here, so only the
 * service's own revocation can do it.
 */
describe('revocations the service makes itself, with a provider whose clock runs ahead', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ clock: new ShiftedClock(-20_000) });
    stack.idp.setWebhookUrl('http://127.0.0.1:9/webhooks/fusionauth');
  });
  afterAll(async () => stack.close());

  const token = async (email: string, password = 'password') =>
    (await stack.fusionAuth.login({ loginId: email, password, applicationId: K.applicationId })).response.token!;
  const me = async (bearer: string) =>
    (await fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${bearer}` } })).status;
  async function newUser(): Promise<{ id: string; email: string }> {
    const email = `skew-${randomBytes(4).toString('hex')}@example.com`;
    const { response } = await stack.fusionAuth.register(undefined as unknown as string, {
      user: { email, password: 'password', firstName: 'Skew', lastName: 'Ed' },
      registration: { applicationId: K.applicationId },
    });
    return { id: response.user!.id!, email };
  }

  it("revokes the tokens an admin's deactivation covers; a login after reactivation still works", async () => {
    const user = await newUser();
    const before = await token(user.email);
    expect(await me(before)).toBe(200);
    const admin = await token(K.admin.email);
    const post = (action: string) =>
      fetch(`${stack.app.url}/api/admin/users/${user.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
      });
    expect((await post('deactivate')).status).toBe(200);
    expect(await me(before)).toBe(401);

    expect((await post('reactivate')).status).toBe(200);
    await nextSecond();
    expect(await me(await token(user.email))).toBe(200);
  });

  it('revokes the tokens a password change covers, and keeps this browser signed in', async () => {
    const user = await newUser();
    const browser = new HttpClient(stack.app.url);
    const login = csrfFrom(await (await browser.get('/auth/password-login')).text());
    expect(
      (await browser.post('/auth/password-login', { _csrf: login, email: user.email, password: 'password' })).status,
    ).toBe(302);
    const before = await token(user.email);
    expect(await me(before)).toBe(200);

    const res = await browser.post('/account/password', {
      _csrf: csrfFrom(await (await browser.get('/account/password')).text()),
      currentPassword: 'password',
      newPassword: 'a-brand-new-password',
      confirmPassword: 'a-brand-new-password',
    });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/account?password=changed']);
    expect(await me(before)).toBe(401);
    expect((await browser.get('/account')).status).toBe(200);
    expect(await me(await token(user.email, 'a-brand-new-password'))).toBe(200);
  });
});
