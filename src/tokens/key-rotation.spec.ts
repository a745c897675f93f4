import { FakeClock } from '../../test/support/fake-clock';
import { newKey, TestIssuer } from '../../test/support/test-issuer';
import { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { ProviderDiscovery } from './provider-discovery.service';
import { TokenRejectedError } from './token.errors';
import { TokenVerifier } from './token-verifier.service';

/** After the provider rotates its signing key, before any key-update event arrives. */
describe('a rotated signing key', () => {
  let issuer: TestIssuer;
  let clock: FakeClock;
  let config: AppConfig;
  let verifier: TokenVerifier;

  beforeEach(async () => {
    issuer = await TestIssuer.start();
    config = loadConfig({
      OIDC_ISSUER: issuer.url,
      OIDC_CLIENT_ID: 'client-1',
      OIDC_CLIENT_SECRET: 'client-secret',
      OIDC_PROVIDER: 'generic',
    });
    clock = new FakeClock(Date.now());
    verifier = new TokenVerifier(config, new ProviderDiscovery(config, clock), clock);
    // The keys were fetched 5 s ago: the bearer cooldown (30 s) is still running.
    await verifier.verifyAccessToken(await issuer.sign({}));
    clock.advance(5000);
    const stranger = await newKey('not-the-issuers');
    await expect(verifier.verifyAccessToken(await issuer.sign({}, { key: stranger }))).rejects.toThrow(
      TokenRejectedError,
    );
    expect(issuer.jwksFetches).toBe(1);
  });
  afterEach(async () => issuer.close());

  async function rotate(): Promise<Awaited<ReturnType<typeof newKey>>> {
    const rotated = await newKey(`rotated-${issuer.keys.length}`);
    issuer.keys = [rotated, ...issuer.keys];
    return rotated;
  }

  it('verifies an ID token from the token endpoint at once, inside the bearer cooldown', async () => {
    const key = await rotate();
    const claims = await verifier.verifyIdToken(config.defaultProvider, await issuer.sign({ sub: 'u-1' }, { key }));
    expect(claims.sub).toBe('u-1');
    expect(issuer.jwksFetches).toBe(2);
  });

  it("verifies the login's access token from the token endpoint at once too", async () => {
    const key = await rotate();
    const token = await issuer.sign({ sub: 'u-1' }, { key });
    await expect(verifier.verifyAccessToken(token, { fromProvider: true })).resolves.toBeDefined();
    expect(issuer.jwksFetches).toBe(2);
  });

  it('keeps the cooldown for a bearer token a client presents', async () => {
    const key = await rotate();
    const token = await issuer.sign({}, { key });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({ reason: 'unknown_kid' });
    expect(issuer.jwksFetches).toBe(1);
    clock.advance(25_000);
    await expect(verifier.verifyAccessToken(token)).resolves.toBeDefined();
    expect(issuer.jwksFetches).toBe(2);
  });

  it('fetches at most once a second, however many ID tokens with unknown kids arrive', async () => {
    const strangers = await Promise.all([1, 2, 3, 4, 5].map((i) => newKey(`stranger-${i}`)));
    for (const key of strangers) {
      await expect(
        verifier.verifyIdToken(config.defaultProvider, await issuer.sign({}, { key })),
      ).rejects.toMatchObject({ reason: 'unknown_kid' });
    }
    expect(issuer.jwksFetches).toBe(2);
    clock.advance(999);
    await expect(
      verifier.verifyIdToken(config.defaultProvider, await issuer.sign({}, { key: strangers[0]! })),
    ).rejects.toMatchObject({ reason: 'unknown_kid' });
    expect(issuer.jwksFetches).toBe(2);
    clock.advance(1);
    const key = await rotate();
    await expect(verifier.verifyIdToken(config.defaultProvider, await issuer.sign({}, { key }))).resolves.toBeDefined();
    expect(issuer.jwksFetches).toBe(3);
  });
});
