import { randomBytes } from 'node:crypto';
import { EventType } from '@fusionauth/typescript-client';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { documentedEvent, EventSubject } from '../support/fusionauth-events';
import { freePort } from '../support/redis-server';
import { Stack, startStack } from '../support/stack';
import { startTestApp } from '../support/test-app';
import { postWebhook } from '../support/webhooks';

/** What the contract's revocation rules do with each documented type the service acts on. */
const REVOKES_THE_USER: readonly EventType[] = [
  EventType.JWTRefreshTokenRevoke,
  EventType.UserDeactivate,
  EventType.UserDelete,
  EventType.UserRegistrationDelete,
  // The documented example takes a role away.
  EventType.UserRegistrationUpdate,
];
const APPLIED_WITHOUT_REVOKING: readonly EventType[] = [EventType.JWTPublicKeyUpdate];

/**
 * The service driven with every event type FusionAuth documents, in the documented shapes (typed
 * with @fusionauth/typescript-client's interfaces, test/support/fusionauth-events.ts), signed as
 * FusionAuth signs them, about a real user with a live token: each is answered 200 with the right
 * status, revokes what the contract says and nothing else.
 */
describe("FusionAuth's documented events, one by one", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  const post = (body: object) => postWebhook(stack.app.url, body, { idp: stack.idp });
  const statusAt = async (url: string, token: string) =>
    (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  /** A new user of the application, signed in through the Login API (a token of their own). */
  async function signedInUser(): Promise<EventSubject & { token: string }> {
    const email = `c-${randomBytes(4).toString('hex')}@example.com`;
    const { response } = await stack.fusionAuth.register(undefined as unknown as string, {
      user: { email, password: 'password' },
      registration: { applicationId: K.applicationId },
    });
    return { ...subject(response.user!.id!, email), token: await login(email) };
  }
  async function login(email: string): Promise<string> {
    const { response } = await stack.fusionAuth.login({
      loginId: email,
      password: 'password',
      applicationId: K.applicationId,
    });
    return response.token!;
  }
  const subject = (userId: string, email: string): EventSubject => ({
    userId,
    email,
    applicationId: K.applicationId,
    tenantId: K.tenantId,
  });

  const types = Object.values(EventType).filter((type) => type !== EventType.JWTRefresh);

  it('covers every type of the client and of the documentation', () => {
    expect(types.length).toBeGreaterThanOrEqual(60);
  });

  it.each(types)('%s', async (type) => {
    const user = await signedInUser();
    const res = await post(documentedEvent(type, user));
    const revokes = REVOKES_THE_USER.includes(type);
    const status = revokes || APPLIED_WITHOUT_REVOKING.includes(type) ? 'applied' : 'ignored';
    expect([res.status, await res.json()]).toEqual([200, { status }]);
    expect(await statusAt(stack.app.url, user.token)).toBe(revokes ? 401 : 200);
  });

  describe('jwt.refresh', () => {
    it('with original: that token is rejected from then on, on every instance; the new token is not', async () => {
      const port = await freePort();
      const b = await startTestApp({
        keyPrefix: stack.app.keyPrefix,
        port,
        env: { APP_URL: `http://127.0.0.1:${port}`, OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url },
      });
      try {
        const user = await signedInUser();
        const renewed = await login(user.email);
        for (const url of [stack.app.url, b.url]) expect(await statusAt(url, user.token)).toBe(200);
        const res = await post(
          documentedEvent(EventType.JWTRefresh, { ...user, original: user.token, token: renewed }),
        );
        expect([res.status, await res.json()]).toEqual([200, { status: 'applied' }]);
        for (const url of [stack.app.url, b.url]) {
          expect(await statusAt(url, user.token)).toBe(401);
          expect(await statusAt(url, renewed)).toBe(200);
        }
      } finally {
        await b.close();
      }
    });

    it('without original: ignored, and every token of the user keeps working', async () => {
      const user = await signedInUser();
      const renewed = await login(user.email);
      const res = await post(documentedEvent(EventType.JWTRefresh, { ...user, token: renewed }));
      expect([res.status, await res.json()]).toEqual([200, { status: 'ignored' }]);
      expect(await statusAt(stack.app.url, user.token)).toBe(200);
      expect(await statusAt(stack.app.url, renewed)).toBe(200);
    });
  });
});
