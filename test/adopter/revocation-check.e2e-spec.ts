import { AppError, RevocationCheck } from '../../src/index';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { Stack, startStack } from '../support/stack';
import { fixtureEvent, postWebhook } from '../support/webhooks';

/** The check a WebSocket or GraphQL guard of an adopter's calls: the global guard's, on plain values. */
describe('RevocationCheck for guards of other transports', () => {
  let stack: Stack;
  let check: RevocationCheck;

  beforeAll(async () => {
    stack = await startStack();
    check = stack.app.app.get(RevocationCheck);
  });
  afterAll(async () => stack.close());

  async function login(): Promise<{ token: string; userId: string }> {
    const { response } = await stack.fusionAuth.login({
      loginId: K.richard.email,
      password: 'password',
      applicationId: K.applicationId,
    });
    return { token: response.token!, userId: response.user!.id! };
  }
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );

  it('verifies a bearer token into the user it proves, and refuses a forged one with a code', async () => {
    const { token, userId } = await login();
    expect(await check.verifyBearer(token)).toMatchObject({ id: userId, provider: 'default', via: 'bearer' });
    expect(await codeOf(check.verifyBearer(`${token.slice(0, -4)}AAAA`))).toBe('TOKEN_INVALID');
  });

  it('refuses a token it admitted before once a webhook revokes it, and lets no caller change the user it gave', async () => {
    const { token, userId } = await login();
    const user = await check.verifyBearer(token);
    expect(await check.verifyBearer(token)).toEqual(user);
    // The same verified token gives the same user to every request: no request can change another's.
    expect(() => (user.roles as string[]).push('admin')).toThrow(TypeError);
    expect(() => Object.assign(user, { id: 'someone-else' })).toThrow(TypeError);

    const event = fixtureEvent('jwt.refresh-token.revoke.all-user.json', { userId, user: { id: userId } });
    expect((await postWebhook(stack.app.url, event, { idp: stack.idp })).status).toBe(200);
    expect(await codeOf(check.verifyBearer(token))).toBe('TOKEN_REVOKED');
  });

  it('refuses a token and reports its facts revoked once a webhook revoked the user', async () => {
    const { token, userId } = await login();
    const issuedAt = Math.floor(Date.now() / 1000);
    const event = fixtureEvent('jwt.refresh-token.revoke.all-user.json', { userId, user: { id: userId } });
    expect((await postWebhook(stack.app.url, event, { idp: stack.idp })).status).toBe(200);

    expect(await codeOf(check.verifyBearer(token))).toBe('TOKEN_REVOKED');
    expect(await check.isRevoked({ userId, issuedAt, applicationId: K.applicationId })).toBe(true);
    // A token issued after the revocation is not covered: a user who signs in again is not locked out.
    expect(await check.isRevoked({ userId, issuedAt: issuedAt + 60, applicationId: K.applicationId })).toBe(false);
    expect(await check.isRevoked({ userId: K.admin.id, issuedAt })).toBe(false);
  });
});
