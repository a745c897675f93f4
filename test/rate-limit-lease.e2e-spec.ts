import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/load-config';
import { leaseSize, RedisThrottlerStorage } from '../src/redis/redis-throttler.storage';
import { RedisService } from '../src/redis/redis.service';

const WINDOW_MS = 60_000;
const BLOCK_MS = 60_000;

/**
 * The rate-limit counters two instances share in Redis: a high limit is leased a hundredth at a
 * time (one round trip per lease, not per request), and the instances together still never admit
 * more than the limit.
 */
describe('rate-limit counters in Redis, leased', () => {
  let redis: RedisService;
  let prefix: string;

  beforeAll(async () => {
    prefix = `rl-lease-${randomBytes(6).toString('hex')}:`;
    redis = await RedisService.start(
      loadConfig({
        NODE_ENV: 'development',
        REDIS_URL: process.env.REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        SESSION_STORE: 'redis',
        SESSION_SECRET: 'rate-limit-lease-session-secret-0123456789',
      }),
    );
  });
  afterAll(async () => {
    for await (const keys of redis.scanKeys(`${prefix}*`)) if (keys.length > 0) await redis.client.del(keys);
    await redis.onApplicationShutdown();
  });

  /** The hits Redis has counted for `key` (the limit named `name`). */
  const counted = async (name: string, key: string) =>
    Number((await redis.client.get(redis.key(`{rl:${name}:${key}}`, 'n'))) ?? 0);

  it('leases a hundredth of a limit of 200 or more, at most 1000, and counts smaller limits one by one', () => {
    expect(leaseSize(5)).toBe(1);
    expect(leaseSize(199)).toBe(1);
    expect(leaseSize(200)).toBe(2);
    expect(leaseSize(3000)).toBe(30);
    expect(leaseSize(100_000_000)).toBe(1000);
  });

  it('counts each hit of a small limit in Redis as it comes', async () => {
    const storage = new RedisThrottlerStorage(redis);
    for (let i = 1; i <= 3; i++) {
      expect((await storage.increment('small', WINDOW_MS, 20, BLOCK_MS, 'login')).totalHits).toBe(i);
      expect(await counted('login', 'small')).toBe(i);
    }
  });

  it('takes a lease in one round trip and answers the next hits from it', async () => {
    const storage = new RedisThrottlerStorage(redis);
    const hits: number[] = [];
    for (let i = 0; i < 10; i++)
      hits.push((await storage.increment('one', WINDOW_MS, 1000, BLOCK_MS, 'webhook')).totalHits);
    expect(hits).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await counted('webhook', 'one')).toBe(10);
    await storage.increment('one', WINDOW_MS, 1000, BLOCK_MS, 'webhook');
    expect(await counted('webhook', 'one')).toBe(20);
  });

  it('shares one lease between concurrent requests of one instance', async () => {
    const storage = new RedisThrottlerStorage(redis);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => storage.increment('burst', WINDOW_MS, 1000, BLOCK_MS, 'webhook')),
    );
    expect(answers.map((a) => a.totalHits).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(answers.every((a) => !a.isBlocked)).toBe(true);
    expect(await counted('webhook', 'burst')).toBe(10);
  });

  it('never admits more than the limit across two instances, then blocks both', async () => {
    const a = new RedisThrottlerStorage(redis);
    const b = new RedisThrottlerStorage(redis);
    const limit = 500;
    let admitted = 0;
    // Each instance still uses what it leased once the other is refused: every one of those hits was counted.
    for (let i = 0; i < 2 * limit; i++) {
      const answer = await (i % 3 === 0 ? b : a).increment('shared', WINDOW_MS, limit, BLOCK_MS, 'webhook');
      if (!answer.isBlocked) admitted++;
    }
    // What a lease left unused when the other instance passed the limit is lost: stricter, never looser.
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * (leaseSize(limit) - 1));
    for (const storage of [a, b]) {
      const refused = await storage.increment('shared', WINDOW_MS, limit, BLOCK_MS, 'webhook');
      expect(refused.isBlocked).toBe(true);
      expect(refused.timeToBlockExpire).toBeGreaterThan(0);
      expect(refused.timeToBlockExpire).toBeLessThanOrEqual(BLOCK_MS / 1000);
    }
  });

  it('lets a lease go with its window: the next window counts from Redis again', async () => {
    let now = Date.now();
    const storage = new RedisThrottlerStorage(redis, () => now);
    await storage.increment('window', 200, 1000, BLOCK_MS, 'webhook');
    expect(await counted('webhook', 'window')).toBe(10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    now += 300;
    expect((await storage.increment('window', 200, 1000, BLOCK_MS, 'webhook')).totalHits).toBe(1);
    expect(await counted('webhook', 'window')).toBe(10);
  });
});
