import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { DenylistService } from '../../src/denylist/denylist.service';
import { Forgery, HostileProvider } from '../support/hostile-provider';
import { startAgainst } from '../support/hostile-login';
import { redisClient, TestApp } from '../support/test-app';
import { fixtureEvent, postWebhook } from '../support/webhooks';

const sha256 = (raw: string) => createHash('sha256').update(raw).digest('base64');

/**
 * FusionAuth's webhook against an attacker who can reach it: signatures replayed over another body,
 * forged with `none` or with the public key as an HMAC secret (RFC 8725 3.1/3.2), old events re-sent,
 * and a flood of distinct events. A refused event changes nothing; accepted state stays bounded.
 */
describe('the FusionAuth webhook against hostile senders', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await HostileProvider.start();
    app = await startAgainst(provider, { OIDC_PROVIDER: 'fusionauth', ACCESS_TOKEN_TTL_S: '600' });
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  /** What FusionAuth sends: an RS256 JWT from the issuer's key set whose only claim hashes the raw body. */
  const sign = (raw: string) =>
    new SignJWT({ request_body_sha256: sha256(raw) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: provider.key.kid })
      .sign(provider.key.privateKey);

  const deactivate = (userId: string, overrides: Record<string, unknown> = {}) =>
    JSON.stringify(fixtureEvent('user.deactivate.json', { userId, user: { id: userId }, ...overrides }));

  const tokenOf = (userId: string, iat = Math.floor(Date.now() / 1000) - 5) =>
    provider.sign({ sub: userId, roles: ['user'], iat });

  async function meStatus(token: string): Promise<number> {
    return (await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  }

  it('applies a correctly signed event (so the refusals below are about the signature)', async () => {
    const userId = randomUUID();
    const token = await tokenOf(userId);
    expect(await meStatus(token)).toBe(200);
    const raw = deactivate(userId);
    const res = await postWebhook(app.url, raw, { signature: await sign(raw) });
    expect([res.status, await res.json()]).toEqual([200, { status: 'applied' }]);
    expect(await meStatus(token)).toBe(401);
  });

  it('refuses a captured signature replayed over a changed body, and the change has no effect', async () => {
    const harmless = JSON.stringify(fixtureEvent('user.login.success.json'));
    const signature = await sign(harmless);
    expect((await postWebhook(app.url, harmless, { signature })).status).toBe(200);
    const victim = randomUUID();
    const token = await tokenOf(victim);
    const res = await postWebhook(app.url, deactivate(victim), { signature });
    expect([res.status, await res.json()]).toEqual([401, expect.objectContaining({ error: 'invalid_signature' })]);
    expect(await meStatus(token)).toBe(200);
  });

  const forgeries: [string, Forgery][] = [
    ['alg none', 'alg-none'],
    ['HS256 keyed with the public key', 'hs256-with-public-key'],
    ['a key the issuer does not publish', 'unknown-key'],
    ['its own key in a jwk header', 'header-jwk'],
    ['its own key set in a jku header', 'header-jku'],
  ];

  it.each(forgeries)('refuses a signature JWT made with %s, and the event has no effect', async (_name, forgery) => {
    const victim = randomUUID();
    const token = await tokenOf(victim);
    const raw = deactivate(victim);
    const signature = await provider.forge(forgery, { request_body_sha256: sha256(raw) });
    const res = await postWebhook(app.url, raw, { signature });
    expect([res.status, await res.json()]).toEqual([401, expect.objectContaining({ error: 'invalid_signature' })]);
    expect(await meStatus(token)).toBe(200);
  });

  it('answers an old event re-sent as a duplicate, and it never revokes tokens issued after it', async () => {
    const userId = randomUUID();
    const raw = deactivate(userId, { createInstant: Date.now() - 3_600_000 });
    const first = await postWebhook(app.url, raw, { signature: await sign(raw) });
    expect(await first.json()).toEqual({ status: 'applied' });
    const fresh = await tokenOf(userId);
    for (let i = 0; i < 3; i++) {
      const again = await postWebhook(app.url, raw, { signature: await sign(raw) });
      expect([again.status, await again.json()]).toEqual([200, { status: 'duplicate' }]);
    }
    // Issued after the event's instant: a user who signed in again is not locked out by a replay.
    expect(await meStatus(fresh)).toBe(200);
    expect(await meStatus(await tokenOf(userId, Math.floor((Date.now() - 3_700_000) / 1000)))).toBe(401);
  });

  it('keeps its state bounded under a flood of distinct events, answering every one correctly', async () => {
    const denylist = app.app.get(DenylistService);
    const redis = await redisClient();
    try {
      const before = denylist.entryCount;
      const heapBefore = process.memoryUsage().heapUsed;
      const users = Array.from({ length: 20 }, () => randomUUID());
      const revocations = Array.from({ length: 300 }, (_, i) => deactivate(users[i % users.length]!));
      const ignored = Array.from({ length: 300 }, () => JSON.stringify(fixtureEvent('user.login.success.json')));
      const keysBefore = await redis.keys(`${app.keyPrefix}*`);

      const statuses: string[] = [];
      const all = [...revocations, ...ignored];
      for (let i = 0; i < all.length; i += 25) {
        const batch = all.slice(i, i + 25);
        const answers = await Promise.all(
          batch.map(async (raw) => {
            const res = await postWebhook(app.url, raw, { signature: await sign(raw) });
            return `${res.status} ${((await res.json()) as { status?: string }).status}`;
          }),
        );
        statuses.push(...answers);
      }
      expect(statuses.slice(0, 300)).toEqual(Array(300).fill('200 applied'));
      expect(statuses.slice(300)).toEqual(Array(300).fill('200 ignored'));

      // One revocation entry per revoked subject, however many events named it.
      expect(denylist.entryCount - before).toBe(users.length);
      // Every key the flood left behind expires: revocations after the longest token's lifetime,
      // event ids after the retry window. Ignored events leave nothing at all.
      const added = (await redis.keys(`${app.keyPrefix}*`)).filter((k) => !keysBefore.includes(k));
      expect(added.length).toBe(users.length + revocations.length);
      for (const key of added) {
        const ttl = await redis.pTTL(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000);
      }
      const denylistKeys = added.filter((k) => !k.includes(':e:'));
      for (const key of denylistKeys) expect(await redis.pTTL(key)).toBeLessThanOrEqual((600 + 60) * 1000);
      // 600 requests handled in process; far less than a megabyte of state each would show here.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(128 * 1024 * 1024);
    } finally {
      redis.destroy();
    }
  }, 30_000);
});
