import { createHash, randomUUID } from 'node:crypto';
import { exportSPKI, SignJWT } from 'jose';
import { DenylistService } from '../../src/denylist/denylist.service';
import { Forgery, HostileProvider } from '../support/hostile-provider';
import { startAgainst } from '../support/hostile-login';
import { redisClient, TestApp } from '../support/test-app';
import { fixtureEvent, hmacSignature, postWebhook } from '../support/webhooks';

const sha256 = (raw: string) => createHash('sha256').update(raw).digest('base64');

const HOUR_MS = 3_600_000;

/**
 * FusionAuth's webhook against an attacker who can reach it: signatures replayed over another body,
 * forged with `none` or with the public key as an HMAC secret (RFC 8725 3.1/3.2), made with another
 * key of the issuer or carrying claims FusionAuth never sends, old events re-sent, captured events
 * replayed after the de-duplication window, and a flood of distinct events. A refused event changes
 * nothing; accepted state stays bounded.
 */
describe('the FusionAuth webhook against hostile senders', () => {
  let provider: HostileProvider;
  let app: TestApp;

  beforeAll(async () => {
    // key-1 signs the access tokens, key-2 the webhooks (as the kickstart sets FusionAuth up).
    provider = await HostileProvider.start(2);
    app = await startAgainst(provider, {
      OIDC_PROVIDER: 'fusionauth',
      ACCESS_TOKEN_TTL_S: '600',
      WEBHOOK_SIGNING_KEY_ID: 'key-2',
    });
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  /** What FusionAuth sends: an RS256 JWT by the webhook key whose only claim hashes the raw body. */
  const sign = (raw: string, key = provider.keys[1]!, claims: object = {}) =>
    new SignJWT({ request_body_sha256: sha256(raw), ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);

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

  it("refuses a signature made with another key of the issuer's set (the access-token key), and the event has no effect", async () => {
    const victim = randomUUID();
    const token = await tokenOf(victim);
    const raw = deactivate(victim);
    const res = await postWebhook(app.url, raw, { signature: await sign(raw, provider.keys[0]) });
    expect([res.status, await res.json()]).toEqual([401, expect.objectContaining({ error: 'invalid_signature' })]);
    expect(await meStatus(token)).toBe(200);
  });

  it('refuses a signature JWT by the webhook key that carries claims FusionAuth never puts there', async () => {
    const victim = randomUUID();
    const token = await tokenOf(victim);
    const raw = deactivate(victim);
    // A token the webhook key signed for something else, whatever else it holds.
    const now = Math.floor(Date.now() / 1000);
    const signature = await sign(raw, undefined, { iss: provider.url, sub: victim, iat: now, exp: now + 60 });
    const res = await postWebhook(app.url, raw, { signature });
    expect([res.status, await res.json()]).toEqual([401, expect.objectContaining({ error: 'invalid_signature' })]);
    expect(await meStatus(token)).toBe(200);
  });

  it('ignores a captured event replayed after its id left the de-duplication window, and stores nothing', async () => {
    const redis = await redisClient();
    try {
      const userId = randomUUID();
      // Sent (and remembered) 25 hours ago; its event id has expired since.
      const raw = deactivate(userId, { createInstant: Date.now() - 25 * HOUR_MS });
      const keysBefore = await redis.keys(`${app.keyPrefix}{dl}*`);
      const replayed = await postWebhook(app.url, raw, { signature: await sign(raw) });
      expect([replayed.status, await replayed.json()]).toEqual([200, { status: 'ignored' }]);
      // Neither its id nor a revocation was written.
      expect(await redis.keys(`${app.keyPrefix}{dl}*`)).toEqual(keysBefore);
    } finally {
      redis.destroy();
    }
  });

  it('ignores an event dated further ahead than the clocks may drift', async () => {
    const userId = randomUUID();
    const token = await tokenOf(userId);
    const raw = deactivate(userId, { createInstant: Date.now() + HOUR_MS });
    const res = await postWebhook(app.url, raw, { signature: await sign(raw) });
    expect([res.status, await res.json()]).toEqual([200, { status: 'ignored' }]);
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
        // Event ids: the replay window (24 h) and the clock skew allowed (5 min).
        expect(ttl).toBeLessThanOrEqual(24 * HOUR_MS + 5 * 60_000);
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

/**
 * HMAC keys rotate (several secrets at once), and a migration between FusionAuth's key kinds runs
 * with `jwt,hmac`: each signature is checked with the key its header names the kind of, never with
 * a key of the other kind.
 */
describe('the webhook while FusionAuth keys rotate', () => {
  const OLD = 'the-hmac-secret-being-rotated-out-0123';
  const NEW = 'the-hmac-secret-being-rotated-in-45678';
  let provider: HostileProvider;
  let app: TestApp | undefined;

  beforeAll(async () => {
    provider = await HostileProvider.start(2);
  });
  afterEach(async () => app?.close());
  afterAll(async () => provider.close());

  const start = async (secrets: string) => {
    app = await startAgainst(provider, {
      OIDC_PROVIDER: 'fusionauth',
      WEBHOOK_VERIFY: 'jwt,hmac',
      WEBHOOK_HMAC_SECRET: secrets,
      WEBHOOK_SIGNING_KEY_ID: 'key-2',
    });
    return app;
  };
  const raw = () => JSON.stringify(fixtureEvent('user.login.success.json'));
  const statusOf = async (service: TestApp, body: string, signature: string) =>
    (await postWebhook(service.url, body, { signature })).status;

  it('accepts the webhook key and every listed secret; refuses the public key as a secret and the access-token key', async () => {
    const service = await start(`${OLD},${NEW}`);
    const body = raw();
    expect(await statusOf(service, body, await hmacSignature(body, OLD))).toBe(200);
    expect(await statusOf(service, body, await hmacSignature(body, NEW))).toBe(200);
    expect(await statusOf(service, body, await signWith(provider, 1, body))).toBe(200);
    expect(await statusOf(service, body, await signWith(provider, 0, body))).toBe(401);
    const pem = await exportSPKI(provider.keys[1]!.publicKey);
    expect(await statusOf(service, body, await hmacSignature(body, pem))).toBe(401);
  });

  it('refuses the old secret once the rotation is over and it left the list', async () => {
    const service = await start(NEW);
    const body = raw();
    expect(await statusOf(service, body, await hmacSignature(body, NEW))).toBe(200);
    expect(await statusOf(service, body, await hmacSignature(body, OLD))).toBe(401);
  });
});

/** FusionAuth's signature with one of the provider's keys: `request_body_sha256` alone. */
function signWith(provider: HostileProvider, index: number, raw: string): Promise<string> {
  const key = provider.keys[index]!;
  return new SignJWT({ request_body_sha256: sha256(raw) })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}
