import { exportSPKI, SignJWT, UnsecuredJWT } from 'jose';
import { FakeClock } from '../../test/support/fake-clock';
import { newKey, signRaw, TestIssuer } from '../../test/support/test-issuer';
import { AppError } from '../common/app.errors';
import { AppConfig } from '../config/app-config';
import { Env, loadConfig } from '../config/load-config';
import { ProviderDiscovery } from './provider-discovery.service';
import { TokenRejectedError } from './token.errors';
import { TokenVerifier } from './token-verifier.service';

const CLIENT_SECRET = 'client-secret-for-hs256-id-tokens-0123456789';

describe('TokenVerifier', () => {
  let issuer: TestIssuer;
  let clock: FakeClock;
  let config: AppConfig;
  let verifier: TokenVerifier;

  const setup = (env: Env = {}) => {
    config = loadConfig({
      OIDC_ISSUER: issuer.url,
      OIDC_CLIENT_ID: 'client-1',
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_PROVIDER: 'generic',
      ...env,
    });
    clock = new FakeClock(Date.now());
    verifier = new TokenVerifier(config, new ProviderDiscovery(config, clock), clock);
  };
  const provider = () => config.defaultProvider;

  async function rejection(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof TokenRejectedError) return error.reason;
      if (error instanceof AppError) return error.code;
      throw error;
    }
    throw new Error('expected the token to be rejected');
  }

  beforeEach(async () => {
    issuer = await TestIssuer.start();
    setup();
  });
  afterEach(async () => issuer.close());

  describe('accepts', () => {
    it('a valid ID token, returning its claims', async () => {
      const token = await issuer.sign({ sub: 'u-42', nonce: 'n-1', email: 'a@example.com' });
      const claims = await verifier.verifyIdToken(provider(), token, { nonce: 'n-1' });
      expect(claims).toMatchObject({ sub: 'u-42', iss: issuer.url, aud: 'client-1', email: 'a@example.com' });
    });

    it('a valid access token, naming its provider and FusionAuth roles', async () => {
      const token = await issuer.sign({ roles: ['admin', 7, 'user'], applicationId: 'client-1', sid: 'rt-1' });
      const { provider: from, claims } = await verifier.verifyAccessToken(token);
      expect(from.name).toBe('default');
      expect(claims).toMatchObject({ roles: ['admin', 'user'], sid: 'rt-1', applicationId: 'client-1' });
    });

    it('several audiences when azp is the client', async () => {
      const token = await issuer.sign({ aud: ['client-1', 'other'], azp: 'client-1' });
      await expect(verifier.verifyIdToken(provider(), token)).resolves.toMatchObject({ azp: 'client-1' });
    });

    it('a token without kid when the key set holds a single key', async () => {
      const token = await issuer.sign({}, { header: { kid: undefined } });
      await expect(verifier.verifyIdToken(provider(), token)).resolves.toBeDefined();
    });

    it('an HS256 ID token MACed with the client secret, when HS256 is configured', async () => {
      setup({ OIDC_ID_TOKEN_ALGS: 'HS256' });
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ iss: issuer.url, sub: 'u', aud: 'client-1', iat: now, exp: now + 60 })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(CLIENT_SECRET));
      await expect(verifier.verifyIdToken(provider(), token)).resolves.toMatchObject({ sub: 'u' });
    });

    it('a token within the clock tolerance', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await issuer.sign({ iat: now + 20, exp: now - 20 });
      await expect(verifier.verifyIdToken(provider(), token)).resolves.toBeDefined();
    });
  });

  describe('rejects', () => {
    it('alg none', async () => {
      const token = new UnsecuredJWT({ iss: issuer.url, sub: 'u', aud: 'client-1' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .encode();
      expect(await rejection(verifier.verifyIdToken(provider(), token))).toBe('alg_not_allowed');
      expect(await rejection(verifier.verifyAccessToken(token))).toBe('alg_not_allowed');
    });

    it('HS256 made with the RSA public key as the secret (algorithm confusion)', async () => {
      const pem = await exportSPKI(issuer.key.publicKey);
      const token = await new SignJWT({ iss: issuer.url, sub: 'u', aud: 'client-1' })
        .setProtectedHeader({ alg: 'HS256', kid: issuer.key.kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(pem));
      expect(await rejection(verifier.verifyIdToken(provider(), token))).toBe('alg_not_allowed');
      expect(await rejection(verifier.verifyAccessToken(token))).toBe('alg_not_allowed');
    });

    it('an HS256 access token, even when HS256 ID tokens are configured', async () => {
      setup({ OIDC_ID_TOKEN_ALGS: 'HS256' });
      const token = await new SignJWT({ iss: issuer.url, sub: 'u', aud: 'client-1' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(CLIENT_SECRET));
      expect(await rejection(verifier.verifyAccessToken(token))).toBe('alg_not_allowed');
    });

    it('a bad signature', async () => {
      const token = await issuer.sign({ sub: 'u-1' });
      const [header, , signature] = token.split('.');
      const forged = Buffer.from(
        JSON.stringify({ iss: issuer.url, sub: 'admin', aud: 'client-1', iat: 1, exp: 9e9 }),
      ).toString('base64url');
      expect(await rejection(verifier.verifyIdToken(provider(), `${header}.${forged}.${signature}`))).toBe(
        'bad_signature',
      );
    });

    it('a key the key set does not hold', async () => {
      const stranger = await newKey('stranger');
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({}, { key: stranger })))).toBe(
        'unknown_kid',
      );
    });

    it('a token without kid when the key set holds several keys', async () => {
      issuer.keys.push(await newKey('key-2'));
      const token = await issuer.sign({}, { header: { kid: undefined } });
      expect(await rejection(verifier.verifyIdToken(provider(), token))).toBe('ambiguous_key');
    });

    it.each(['jwk', 'jku', 'x5u', 'x5c'])('a token carrying its own key reference in the %s header', async (name) => {
      const token = await issuer.sign(
        {},
        { header: { [name]: name === 'jwk' ? issuer.key.publicJwk : 'https://evil.example/keys' } },
      );
      expect(await rejection(verifier.verifyIdToken(provider(), token))).toBe('header_key_not_allowed');
    });

    it('a critical header extension it does not understand', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = signRaw(
        { alg: 'RS256', kid: issuer.key.kid, crit: ['exp-ext'], 'exp-ext': true },
        { iss: issuer.url, sub: 'u', aud: 'client-1', iat: now, exp: now + 60 },
        issuer.key,
      );
      expect(await rejection(verifier.verifyIdToken(provider(), token))).toBe('crit_not_understood');
    });

    it('the wrong issuer', async () => {
      expect(
        await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ iss: 'https://evil.example' }))),
      ).toBe('wrong_issuer');
    });

    it('a missing issuer', async () => {
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ iss: undefined })))).toBe(
        'missing_claim',
      );
      expect(await rejection(verifier.verifyAccessToken(await issuer.sign({ iss: undefined })))).toBe('unknown_issuer');
    });

    it('the wrong audience', async () => {
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ aud: 'client-2' })))).toBe(
        'wrong_audience',
      );
      expect(await rejection(verifier.verifyAccessToken(await issuer.sign({ aud: 'client-2' })))).toBe(
        'wrong_audience',
      );
    });

    it('several audiences without azp, and an azp naming another client', async () => {
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ aud: ['client-1', 'x'] })))).toBe(
        'wrong_azp',
      );
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ azp: 'x' })))).toBe('wrong_azp');
    });

    it('a missing subject', async () => {
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ sub: undefined })))).toBe(
        'missing_claim',
      );
    });

    it('an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(
        await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ iat: now - 600, exp: now - 31 }))),
      ).toBe('expired');
    });

    it('a token used before nbf', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ nbf: now + 120 })))).toBe(
        'not_yet_valid',
      );
    });

    it('a token issued in the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(
        await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ iat: now + 120, exp: now + 600 }))),
      ).toBe('issued_in_future');
    });

    it('a wrong nonce, and a missing one', async () => {
      expect(
        await rejection(verifier.verifyIdToken(provider(), await issuer.sign({ nonce: 'x' }), { nonce: 'n' })),
      ).toBe('nonce_mismatch');
      expect(await rejection(verifier.verifyIdToken(provider(), await issuer.sign({}), { nonce: 'n' }))).toBe(
        'nonce_mismatch',
      );
    });

    it('an oversized or malformed token, before any crypto', async () => {
      expect(await rejection(verifier.verifyAccessToken('a'.repeat(10_000)))).toBe('too_large');
      expect(await rejection(verifier.verifyAccessToken('not-a-jwt'))).toBe('malformed');
      expect(await rejection(verifier.verifyIdToken(provider(), 'x.y.z'))).toBe('malformed');
      expect(issuer.jwksFetches).toBe(0);
    });

    it('an access token from an issuer that is not configured', async () => {
      expect(await rejection(verifier.verifyAccessToken(await issuer.sign({ iss: 'https://other.example' })))).toBe(
        'unknown_issuer',
      );
    });
  });

  describe('the key set', () => {
    it('is fetched once and cached', async () => {
      for (let i = 0; i < 5; i++) await verifier.verifyAccessToken(await issuer.sign({}));
      expect(issuer.jwksFetches).toBe(1);
    });

    it('is refetched for a rotated key, at most once per cooldown however many unknown kids arrive', async () => {
      await verifier.verifyAccessToken(await issuer.sign({}));
      const strangers = await Promise.all([1, 2, 3, 4, 5].map((i) => newKey(`random-${i}`)));
      for (const key of strangers) {
        expect(await rejection(verifier.verifyAccessToken(await issuer.sign({}, { key })))).toBe('unknown_kid');
      }
      expect(issuer.jwksFetches).toBe(1);

      const rotated = await newKey('key-rotated');
      issuer.keys = [rotated];
      clock.advance(31_000);
      await expect(verifier.verifyAccessToken(await issuer.sign({}, { key: rotated }))).resolves.toBeDefined();
      expect(issuer.jwksFetches).toBe(2);
    });

    it('keeps working from cache while the provider is down', async () => {
      const token = await issuer.sign({});
      await verifier.verifyAccessToken(token);
      issuer.failJwks = true;
      clock.advance(3_600_000);
      const later = Math.floor(clock.now() / 1000);
      const fresh = await issuer.sign({ iat: later, exp: later + 300 });
      await expect(verifier.verifyAccessToken(fresh)).resolves.toBeDefined();
      await new Promise((r) => setTimeout(r, 50));
      await expect(verifier.verifyAccessToken(fresh)).resolves.toBeDefined();
      expect(issuer.jwksFetches).toBe(2);
    });

    it('answers 503, not 401, when no key was ever fetched', async () => {
      issuer.failJwks = true;
      expect(await rejection(verifier.verifyAccessToken(await issuer.sign({})))).toBe('PROVIDER_UNAVAILABLE');
    });

    it('is refreshed at once on a key-update event, cooldown or not', async () => {
      await verifier.verifyAccessToken(await issuer.sign({}));
      const rotated = await newKey('key-new');
      issuer.keys.push(rotated);
      await verifier.refreshKeys(provider());
      expect(issuer.jwksFetches).toBe(2);
      await expect(verifier.verifyAccessToken(await issuer.sign({}, { key: rotated }))).resolves.toBeDefined();
      expect(issuer.jwksFetches).toBe(2);
    });
  });

  describe('the cache of verified access tokens', () => {
    it('never accepts a tampered copy of a token it already verified', async () => {
      const token = await issuer.sign({ sub: 'u-1' });
      await verifier.verifyAccessToken(token);
      const [header, , signature] = token.split('.');
      const forged = Buffer.from(
        JSON.stringify({ iss: issuer.url, sub: 'admin', aud: 'client-1', iat: 1, exp: 9e9, roles: ['admin'] }),
      ).toString('base64url');
      expect(await rejection(verifier.verifyAccessToken(`${header}.${forged}.${signature}`))).toBe('bad_signature');
      expect(await rejection(verifier.verifyAccessToken(`${token}x`))).toBe('bad_signature');
    });

    it('serves a verified token from the cache only by its whole string, whoever copied its signature', async () => {
      const token = await issuer.sign({ sub: 'u-1' });
      const first = await verifier.verifyAccessToken(token);
      const [header, , signature] = token.split('.');
      const claims = { iss: issuer.url, sub: 'admin', aud: 'client-1', iat: 1, exp: 9e9 };
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      expect(verifier.verifiedAccessToken(forged)).toBeUndefined();
      expect(await rejection(verifier.verifyAccessToken(forged))).toBe('bad_signature');
      expect(verifier.verifiedAccessToken(token)).toBe(first);
      expect(verifier.verifiedAccessToken(`x${token}`)).toBeUndefined();
    });

    it('does not keep a token past its expiry', async () => {
      const now = Math.floor(clock.now() / 1000);
      const token = await issuer.sign({ iat: now, exp: now + 60 });
      await expect(verifier.verifyAccessToken(token)).resolves.toBeDefined();
      clock.advance(60_000 + 31_000);
      expect(await rejection(verifier.verifyAccessToken(token))).toBe('expired');
    });

    it('forgets what a withdrawn key signed when the keys are refreshed', async () => {
      const token = await issuer.sign({});
      await verifier.verifyAccessToken(token);
      issuer.keys = [await newKey('key-after-withdrawal')];
      await verifier.refreshKeys(provider());
      expect(await rejection(verifier.verifyAccessToken(token))).toBe('unknown_kid');
    });
  });

  describe('discovery', () => {
    it('refuses a provider whose discovery document names another issuer', async () => {
      issuer.discoveryOverrides = { issuer: 'https://impostor.example' };
      expect(await rejection(verifier.verifyAccessToken(await issuer.sign({})))).toBe('PROVIDER_UNAVAILABLE');
      expect(issuer.jwksFetches).toBe(0);
    });
  });

  it('keeps no secret in its errors', async () => {
    setup({ OIDC_ID_TOKEN_ALGS: 'HS256' });
    const token = await new SignJWT({ iss: issuer.url, sub: 'u', aud: 'client-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('wrong-secret-0123456789-0123456789'));
    const error = await verifier.verifyIdToken(provider(), token).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect((error as TokenRejectedError).reason).toBe('bad_signature');
    expect((error as Error).message).not.toContain(CLIENT_SECRET);
  });
});
