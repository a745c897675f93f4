import { exportSPKI, SignJWT, UnsecuredJWT } from 'jose';
import { FakeClock } from '../../test/support/fake-clock';
import { newKey, signRaw, TestIssuer } from '../../test/support/test-issuer';
import { AppError } from '../common/app.errors';
import { loadConfig } from '../config/load-config';
import { ProviderDiscovery } from './provider-discovery.service';
import { TokenRejectedError } from './token.errors';
import { SignatureKeys } from './signature-jwt';
import { TokenVerifier } from './token-verifier.service';

const HASH = 'KeV+/HGoIQrxuE5YPCRR6AuQOJveldYNNhbVi1i22qk=';
const OLD_SECRET = 'the-hmac-secret-being-rotated-out-0123';
const NEW_SECRET = 'the-hmac-secret-being-rotated-in-45678';

/** FusionAuth's X-FusionAuth-Signature-JWT (extend/events-and-webhooks/signing): one reason to refuse per test. */
describe('TokenVerifier.verifySignatureJwt', () => {
  let issuer: TestIssuer;
  let verifier: TokenVerifier;
  let provider: ReturnType<typeof loadConfig>['defaultProvider'];

  beforeEach(async () => {
    // Key 1 signs access tokens, key 2 is the webhook key.
    issuer = await TestIssuer.start(2);
    const config = loadConfig({ OIDC_ISSUER: issuer.url, WEBHOOK_SIGNING_KEY_ID: 'key-2' });
    const clock = new FakeClock(Date.now());
    verifier = new TokenVerifier(config, new ProviderDiscovery(config, clock), clock);
    provider = config.defaultProvider;
  });
  afterEach(async () => issuer.close());

  const jwks: SignatureKeys = { jwks: true, keyId: 'key-2', hmacSecrets: [] };
  const webhookKey = () => issuer.keys[1]!;
  const signed = (claims: object, key = webhookKey(), header: object = {}) =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header })
      .sign(key.privateKey);
  const hmac = (secret: string, claims: object = { request_body_sha256: HASH }, alg = 'HS256') =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg, typ: 'JWT', kid: 'hmac-kid' })
      .sign(new TextEncoder().encode(secret));

  async function rejection(token: string | Promise<string>, keys: SignatureKeys = jwks): Promise<string> {
    try {
      await verifier.verifySignatureJwt(provider, await token, keys);
    } catch (error) {
      if (error instanceof TokenRejectedError) return error.reason;
      if (error instanceof AppError) return error.code;
      throw error;
    }
    throw new Error('expected the signature to be refused');
  }

  it('accepts what FusionAuth sends: the pinned key, one claim, and returns it', async () => {
    await expect(
      verifier.verifySignatureJwt(provider, await signed({ request_body_sha256: HASH }), jwks),
    ).resolves.toEqual({
      request_body_sha256: HASH,
    });
  });

  it("refuses another key of the issuer's key set, such as the access-token key", async () => {
    expect(await rejection(signed({ request_body_sha256: HASH }, issuer.keys[0]))).toBe('wrong_key');
  });

  it('refuses a signature without kid when a key is pinned', async () => {
    const token = signRaw({ alg: 'RS256', typ: 'JWT' }, { request_body_sha256: HASH }, webhookKey());
    expect(await rejection(token)).toBe('wrong_key');
  });

  it('refuses the pinned kid on a key the issuer does not publish', async () => {
    const stranger = await newKey('key-2');
    expect(await rejection(signed({ request_body_sha256: HASH }, stranger))).toBe('bad_signature');
  });

  it.each([
    ['iss', { iss: 'x' }],
    ['exp', { exp: Math.floor(Date.now() / 1000) + 60 }],
    ['sub', { sub: 'u1' }],
    ['aud', { aud: 'client' }],
    ['a custom claim', { roles: ['admin'] }],
  ])('refuses a signature JWT that carries %s besides the body hash', async (_name, extra) => {
    expect(await rejection(signed({ request_body_sha256: HASH, ...extra }))).toBe('unexpected_claim');
  });

  it('refuses alg none and an HS256 JWT keyed with the public key when no secret is configured', async () => {
    expect(await rejection(new UnsecuredJWT({ request_body_sha256: HASH }).encode())).toBe('alg_not_allowed');
    const pem = await exportSPKI(webhookKey().publicKey);
    expect(await rejection(hmac(pem))).toBe('alg_not_allowed');
  });

  it('accepts any of several HMAC secrets (a rotation), and none other', async () => {
    const keys: SignatureKeys = { jwks: false, hmacSecrets: [OLD_SECRET, NEW_SECRET] };
    for (const secret of [OLD_SECRET, NEW_SECRET])
      await expect(verifier.verifySignatureJwt(provider, await hmac(secret), keys)).resolves.toBeDefined();
    await expect(
      verifier.verifySignatureJwt(provider, await hmac(NEW_SECRET, undefined, 'HS512'), keys),
    ).resolves.toBeDefined();
    expect(await rejection(hmac('a-third-secret-nobody-configured-000'), keys)).toBe('bad_signature');
    expect(await rejection(signed({ request_body_sha256: HASH }), keys)).toBe('alg_not_allowed');
  });

  it('takes either kind during a migration (jwt and hmac): the header alg picks the key, never the public key as a secret', async () => {
    const both: SignatureKeys = { ...jwks, hmacSecrets: [NEW_SECRET] };
    await expect(
      verifier.verifySignatureJwt(provider, await signed({ request_body_sha256: HASH }), both),
    ).resolves.toBeDefined();
    await expect(verifier.verifySignatureJwt(provider, await hmac(NEW_SECRET), both)).resolves.toBeDefined();
    expect(await rejection(hmac(await exportSPKI(webhookKey().publicKey)), both)).toBe('bad_signature');
    expect(await rejection(signed({ request_body_sha256: HASH }, issuer.keys[0]), both)).toBe('wrong_key');
  });

  it('refuses extra claims on an HMAC signature too', async () => {
    const keys: SignatureKeys = { jwks: false, hmacSecrets: [NEW_SECRET] };
    expect(await rejection(hmac(NEW_SECRET, { request_body_sha256: HASH, iat: 1 }), keys)).toBe('unexpected_claim');
  });
});
