import { Forgery, HostileProvider } from '../support/hostile-provider';
import { startAgainst } from '../support/hostile-login';
import { TestApp } from '../support/test-app';

/**
 * `/api/*` against hostile API clients: tokens where they leak (RFC 6750 2.3, RFC 9700 4.3), tokens
 * of the wrong kind or for someone else (RFC 9700 2.3, RFC 8725 3.11), forged tokens (RFC 8725 3.1,
 * 3.10), and oversized or malformed ones, which are refused fast and never reach a 500.
 */
describe('the bearer guard against hostile API clients', () => {
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

  const accessToken = (claims: Record<string, unknown> = {}) =>
    provider.sign({ sub: 'api-user', email: 'api@hostile.example', roles: ['user'], ...claims });

  const me = (headers: Record<string, string> = {}, query = '') =>
    fetch(`${app.url}/api/me${query}`, { headers: { accept: 'application/json', ...headers } });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function expectInvalidToken(res: Response): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  }

  it('answers a valid access token in the Authorization header (so the refusals below are about the token)', async () => {
    const res = await me(bearer(await accessToken()));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'api-user' });
  });

  it('refuses a token in the query string, even alongside a valid header', async () => {
    const token = await accessToken();
    await expectInvalidToken(await me({}, `?access_token=${token}`));
    await expectInvalidToken(await me(bearer(token), `?access_token=${token}`));
  });

  it('refuses an ID token presented as an access token', async () => {
    const idToken = await provider.sign({ sub: 'api-user', nonce: 'n-0S6_WzA2Mj', at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' });
    const logged = app.logger.lines.length;
    await expectInvalidToken(await me(bearer(idToken)));
    expect(app.logger.lines.slice(logged).map((l) => l.message)).toContainEqual(
      expect.stringContaining('an ID token is not an access token'),
    );
  });

  it('refuses a token issued for another audience', async () => {
    await expectInvalidToken(await me(bearer(await provider.sign({ sub: 'api-user' }, { audience: 'other-api' }))));
  });

  it('refuses a token from an issuer it does not trust', async () => {
    await expectInvalidToken(await me(bearer(await accessToken({ iss: 'https://evil.example' }))));
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(await me(bearer(await accessToken({ iat: now - 900, exp: now - 300 }))));
  });

  const forgeries: [Forgery, string][] = [
    ['alg-none', 'alg_not_allowed'],
    ['hs256-with-public-key', 'alg_not_allowed'],
    ['bad-signature', 'bad_signature'],
    ['unknown-key', 'unknown_kid'],
    ['header-jwk', 'header_key_not_allowed'],
    ['header-jku', 'header_key_not_allowed'],
    ['header-x5u', 'header_key_not_allowed'],
  ];

  it.each(forgeries)('refuses a forged access token (%s)', async (forgery, reason) => {
    const logged = app.logger.lines.length;
    await expectInvalidToken(await me(bearer(await provider.forge(forgery, { sub: 'admin', roles: ['admin'] }))));
    const reasons = app.logger.lines.slice(logged).map((l) => l.message);
    expect(reasons.join('\n')).toContain(`GET /api/me rejected: TOKEN_INVALID (${reason}`);
  });

  const malformed: [string, string][] = [
    ['not a JWT', 'not-a-jwt'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.e30'],
    ['empty parts', '..'],
    ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.e30.c2ln`],
    ['a header that is a JSON array', `${Buffer.from('["RS256"]').toString('base64url')}.e30.c2ln`],
    ['a payload that is not JSON', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.bm90LWpzb24.c2ln`],
    ['9 KB of token', `eyJhbGciOiJSUzI1NiJ9.${'A'.repeat(9000)}.c2ln`],
  ];

  it.each(malformed)('refuses a malformed token (%s) with 401, in well under a second', async (_name, token) => {
    const started = performance.now();
    const res = await me(bearer(token));
    expect(performance.now() - started).toBeLessThan(1000);
    await expectInvalidToken(res);
  });

  it('refuses a header too large to read with a 4xx, in well under a second', async () => {
    const started = performance.now();
    const res = await me(bearer(`eyJhbGciOiJSUzI1NiJ9.${'A'.repeat(64 * 1024)}.c2ln`)).catch(() => undefined);
    expect(performance.now() - started).toBeLessThan(1000);
    // Node refuses headers over its limit with 431 before any application code runs.
    expect(res?.status).toBe(431);
  });

  it('refuses an Authorization header that is not a single Bearer token', async () => {
    const token = await accessToken();
    await expectInvalidToken(await me({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }));
    await expectInvalidToken(await me({ authorization: `Bearer ${token} ${token}` }));
    await expectInvalidToken(await me({ authorization: `Bearer ${token},${token}` }));
    await expectInvalidToken(await me({ authorization: 'Bearer ' }));
  });
});
