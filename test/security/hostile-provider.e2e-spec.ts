import { JWTPayload } from 'jose';
import { ATTACKER_KEYS_PATH, AuthorizeRequest, Forgery, HostileProvider } from '../support/hostile-provider';
import { callbackUrl, expectLoginRejected, startAgainst } from '../support/hostile-login';
import { HttpClient } from '../support/http-client';
import { TestApp } from '../support/test-app';

/**
 * What a hostile provider can send beyond the certification's cases (RFC 8725, RFC 9700 4.x,
 * OpenID Connect Core 3.1.3.7): key confusion, keys named by the token itself, missing or wrong
 * claims, and a token endpoint that fails. Each ends on the error page with no session.
 */
describe('the login callback against a hostile provider', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await HostileProvider.start();
    app = await startAgainst(provider);
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });
  beforeEach(() => provider.reset());

  const now = () => Math.floor(Date.now() / 1000);

  async function rejectedWith(reason: RegExp, status = 401): Promise<void> {
    const browser = new HttpClient(app.url);
    const logs = await expectLoginRejected(app, browser, await callbackUrl(browser), status);
    expect(logs).toMatch(reason);
  }

  const forgeries: [string, Forgery, RegExp][] = [
    ['signed with HS256 using the RSA public key as the secret', 'hs256-with-public-key', /alg_not_allowed/],
    ['signed by a key the key set does not hold', 'unknown-key', /unknown_kid/],
    ['carrying its own key in a `jwk` header', 'header-jwk', /header_key_not_allowed: jwk/],
    ['naming its own key set in a `jku` header', 'header-jku', /header_key_not_allowed: jku/],
    ['naming its own certificate in an `x5u` header', 'header-x5u', /header_key_not_allowed: x5u/],
  ];

  it.each(forgeries)('refuses an ID token %s', async (_name, forgery, reason) => {
    provider.answerWithIdToken((auth) => provider.forge(forgery, { nonce: auth.nonce }));
    await rejectedWith(reason);
    // Keys are only ever fetched from the discovered jwks_uri, never from where a token points.
    expect(provider.requestsTo(ATTACKER_KEYS_PATH)).toBe(0);
    expect(provider.requestsTo('/attacker/cert.pem')).toBe(0);
  });

  const claims: [string, (auth: AuthorizeRequest) => JWTPayload, RegExp][] = [
    ['without an issuer', () => ({ iss: undefined }), /iss|missing_claim/],
    ['without an audience', () => ({ aud: undefined }), /aud|missing_claim/],
    ['without a nonce when one was sent', () => ({ nonce: undefined }), /nonce/i],
    ['that has expired', () => ({ iat: now() - 900, exp: now() - 300 }), /expired/],
    ['issued in the future', () => ({ iat: now() + 600, exp: now() + 900 }), /issued_in_future/],
    [
      'for several audiences without azp',
      () => ({ aud: ['client-1', 'another-client'] }),
      /wrong_azp|missing authorizied party claim/,
    ],
    [
      'whose azp is another client',
      () => ({ aud: ['client-1', 'another-client'], azp: 'another-client' }),
      /wrong_azp|not issued to this relying party/,
    ],
  ];

  it.each(claims)('refuses an ID token %s', async (_name, override, reason) => {
    provider.answerWithIdToken((auth) => provider.idToken(auth, override(auth)));
    await rejectedWith(reason);
  });

  it('refuses a login when the token endpoint answers with an error', async () => {
    provider.failTokenEndpoint('error');
    await rejectedWith(/token_error|server_error/);
  });

  it('refuses a login when the token endpoint answers garbage', async () => {
    provider.failTokenEndpoint('garbage');
    await rejectedWith(/invalid_response/);
  });

  it('gives up on a token endpoint that never answers, with an error page and no session', async () => {
    provider.failTokenEndpoint('hang');
    const browser = new HttpClient(app.url);
    const callback = await callbackUrl(browser);
    const res = await browser.get(`${callback.pathname}${callback.search}`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('cannot be reached right now');
    expect((await browser.get('/account')).status).toBe(302);
  }, 20_000);
});

describe('a provider allowed to sign ID tokens with HS256 (OIDC_ID_TOKEN_ALGS=RS256,HS256)', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await HostileProvider.start();
    app = await startAgainst(provider, { OIDC_ID_TOKEN_ALGS: 'RS256,HS256' });
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  it('still refuses an HS256 ID token keyed with the public key: only the client secret is an HMAC key', async () => {
    provider.answerWithIdToken((auth) => provider.forge('hs256-with-public-key', { nonce: auth.nonce }));
    const browser = new HttpClient(app.url);
    expect(await expectLoginRejected(app, browser, await callbackUrl(browser))).toMatch(/bad_signature/);
  });
});
