import { JWTPayload, SignJWT } from 'jose';
import { FakeClock } from '../support/fake-clock';
import { AuthorizeRequest, HostileProvider } from '../support/hostile-provider';
import {
  callbackUrl,
  CLIENT_ID,
  CLIENT_SECRET,
  expectLoginAccepted,
  expectLoginRejected,
  startAgainst,
} from '../support/hostile-login';
import { HttpClient } from '../support/http-client';
import { TestApp } from '../support/test-app';

/**
 * The OpenID Foundation's relying-party certification, Basic and Config profiles (code flow), one
 * test per test id, against a provider that misbehaves the way each test's OP does. Where the
 * certification accepts either answer, the service gives the safer one (noted at the test).
 */
describe('OpenID RP certification (Basic and Config profiles)', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await HostileProvider.start(2);
    // One published key unless a test publishes more.
    provider.publishedJwks = () => [provider.key.publicJwk];
    app = await startAgainst(provider);
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });
  beforeEach(() => {
    provider.reset();
    provider.publishedJwks = () => [provider.key.publicJwk];
  });

  const answerWith = (claims: (auth: AuthorizeRequest) => JWTPayload) =>
    provider.answerWithIdToken((auth) => provider.idToken(auth, claims(auth)));

  async function rejected(reason: RegExp): Promise<void> {
    const browser = new HttpClient(app.url);
    const logs = await expectLoginRejected(app, browser, await callbackUrl(browser));
    expect(logs).toMatch(reason);
  }

  async function accepted(): Promise<void> {
    const browser = new HttpClient(app.url);
    await expectLoginAccepted(browser, await callbackUrl(browser));
  }

  it('rp-response_type-code: asks for the code flow with state, nonce and PKCE, and signs in', async () => {
    await accepted();
    const auth = provider.authorizations.at(-1)!;
    expect(auth.responseType).toBe('code');
    expect(auth.scope!.split(' ')).toContain('openid');
    expect(auth.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.nonce).toBeTruthy();
    expect(auth.codeChallengeMethod).toBe('S256');
  });

  it('rp-token_endpoint-client_secret_basic: authenticates to the token endpoint with HTTP Basic', async () => {
    await accepted();
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    expect(provider.tokenAuthorizations.at(-1)).toBe(`Basic ${basic}`);
  });

  it('rp-userinfo-bearer-header: sends the access token to userinfo in the Authorization header', async () => {
    await accepted();
    expect(provider.userinfoAuthorizations.at(-1)).toBe('Bearer opaque-access-token');
  });

  it('rp-id_token-sig-rs256: accepts an ID token signed with RS256 by a published key', async () => {
    await accepted();
  });

  it('rp-id_token-sig-none: refuses an unsigned ID token, even from the token endpoint (safer choice)', async () => {
    // The certification lets a code-flow RP that registered `none` accept it; this one pins RS256.
    provider.answerWithIdToken((auth) => provider.forge('alg-none', { nonce: auth.nonce }));
    await rejected(/alg_not_allowed/);
  });

  it('rp-id_token-bad-sig-rs256: refuses an ID token whose RS256 signature does not verify', async () => {
    provider.answerWithIdToken((auth) => provider.forge('bad-signature', { nonce: auth.nonce }));
    await rejected(/bad_signature/);
  });

  it('rp-id_token-issuer-mismatch: refuses an ID token from another issuer', async () => {
    answerWith(() => ({ iss: 'https://example.com/' }));
    await rejected(/wrong_issuer|not issued by expected OpenID provider/);
  });

  it('rp-id_token-aud: refuses an ID token for another audience', async () => {
    answerWith(() => ({ aud: 'some-other-client' }));
    await rejected(/wrong_audience|not intended for this relying party/);
  });

  it('rp-id_token-iat: refuses an ID token without an issue time', async () => {
    answerWith(() => ({ iat: undefined }));
    await rejected(/missing_claim|missing issued at claim/);
  });

  it('rp-id_token-sub: refuses an ID token without a subject', async () => {
    answerWith(() => ({ sub: undefined }));
    await rejected(/missing_claim|missing subject claim/);
  });

  it('rp-nonce-invalid: refuses an ID token whose nonce is not the one sent', async () => {
    answerWith(() => ({ nonce: 'a-nonce-the-client-never-sent' }));
    await rejected(/nonce/i);
  });

  it('rp-id_token-kid-absent-single-jwks: accepts an ID token without kid when one key is published', async () => {
    provider.answerWithIdToken((auth) => provider.forge('no-kid', { nonce: auth.nonce }));
    await accepted();
  });

  it('rp-userinfo-bad-sub-claim: refuses userinfo about another subject than the ID token', async () => {
    provider.userinfo = () => ({ sub: 'somebody-else', email: 'user@hostile.example' });
    await rejected(/userinfo_sub_mismatch/);
  });

  it('rp-discovery-openid-configuration and rp-discovery-jwks_uri-keys: takes endpoints and keys from discovery', async () => {
    const browser = new HttpClient(app.url);
    const start = await browser.get('/auth/login');
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(provider.discovery().authorization_endpoint);
    expect(provider.requestsTo('/.well-known/openid-configuration')).toBeGreaterThan(0);
    await accepted();
    expect(provider.requestsTo('/.well-known/jwks.json')).toBeGreaterThan(0);
  });

  describe('with OIDC_ID_TOKEN_ALGS=HS256 (ID tokens MACed with the client secret)', () => {
    let hsApp: TestApp;
    beforeAll(async () => {
      hsApp = await startAgainst(provider, { OIDC_ID_TOKEN_ALGS: 'HS256' });
    });
    afterAll(async () => {
      await hsApp.close();
    });

    const hs256 = (auth: AuthorizeRequest, secret: string) =>
      new SignJWT({ sub: 'hostile-user', email: 'user@hostile.example', nonce: auth.nonce })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(provider.url)
        .setAudience(CLIENT_ID)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));

    it('rp-id_token-sig-hs256: accepts an ID token MACed with the client secret', async () => {
      provider.answerWithIdToken((auth) => hs256(auth, CLIENT_SECRET));
      const browser = new HttpClient(hsApp.url);
      await expectLoginAccepted(browser, await callbackUrl(browser));
    });

    it('rp-id_token-bad-sig-hs256: refuses an ID token whose HS256 MAC does not verify', async () => {
      provider.answerWithIdToken((auth) => hs256(auth, `${CLIENT_SECRET}-not-it`));
      const browser = new HttpClient(hsApp.url);
      expect(await expectLoginRejected(hsApp, browser, await callbackUrl(browser))).toMatch(/bad_signature/);
    });
  });

  describe('OpenID RP certification: the provider changes under the service', () => {
    const closers: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
    });

    it('rp-discovery-issuer-not-matching-config: never sends a browser to a provider whose discovery names another issuer', async () => {
      const provider = await HostileProvider.start();
      closers.push(() => provider.close());
      provider.discoveryOverrides = { issuer: 'https://impostor.example' };
      const app = await startAgainst(provider);
      closers.push(() => app.close());
      const res = await new HttpClient(app.url).get('/auth/login');
      expect(res.status).toBe(503);
      expect(res.headers.get('location')).toBeNull();
      expect(provider.authorizations).toHaveLength(0);
      expect(app.logger.of('error').join('\n')).toContain('names issuer "https://impostor.example"');
    });

    it('rp-id_token-kid-absent-multiple-jwks: refuses an ID token without kid among several keys (safer choice)', async () => {
      // The certification also allows trying every key in turn; refusing keeps exactly one key per token.
      const provider = await HostileProvider.start(2);
      closers.push(() => provider.close());
      const app = await startAgainst(provider);
      closers.push(() => app.close());
      provider.answerWithIdToken((auth) => provider.forge('no-kid', { nonce: auth.nonce }));
      const browser = new HttpClient(app.url);
      expect(await expectLoginRejected(app, browser, await callbackUrl(browser))).toMatch(/ambiguous_key/);
    });

    it('rp-key-rotation-op-sign-key: follows the provider to its new signing key, and drops the withdrawn one', async () => {
      const provider = await HostileProvider.start();
      closers.push(() => provider.close());
      const clock = new FakeClock(Date.now());
      const app = await startAgainst(provider, {}, { clock });
      closers.push(() => app.close());

      const before = new HttpClient(app.url);
      await expectLoginAccepted(before, await callbackUrl(before));
      const old = provider.key;
      await provider.rotateKey();
      // A key set is fetched again at most once per cooldown (30 s), so a stream of unknown kids cannot
      // make the service hammer the provider; the rotation is seen on the first login after it.
      clock.advance(31_000);
      const after = new HttpClient(app.url);
      await expectLoginAccepted(after, await callbackUrl(after));

      // The withdrawn key no longer signs anything the service accepts.
      clock.advance(31_000);
      provider.answerWithIdToken((auth) => provider.sign({ sub: 'hostile-user', nonce: auth.nonce }, { key: old }));
      const stale = new HttpClient(app.url);
      const logs = await expectLoginRejected(app, stale, await callbackUrl(stale));
      expect(logs).toMatch(/unknown_kid/);
    });
  });
});
