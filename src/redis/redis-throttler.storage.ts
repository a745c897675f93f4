import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RedisService } from './redis.service';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * A fixed window per key, and a block once the limit is passed, in one atomic step. KEYS: [hits,
 * block] (one hash tag, so one Cluster slot); ARGV: [ttlMs, limit, blockMs]. Returns [hits,
 * hitsTtlMs, blocked (0/1), blockTtlMs].
 */
const INCREMENT = `
local blockTtl = redis.call('PTTL', KEYS[2])
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if blockTtl > 0 then return {hits, ttl, 1, blockTtl} end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}`;

/**
 * Rate-limit counters in Redis, so a limit holds across every instance that shares it. While Redis
 * does not answer, this instance counts in memory: limits still hold per instance, and an outage of
 * the counters never turns into refused logins or lost webhooks on its own.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private inMemory?: ThrottlerStorageService;
  private warned = false;

  constructor(private readonly redis: RedisService) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!this.redis.enabled) return this.fallback().increment(key, ttlMs, limit, blockDurationMs, throttlerName);
    const base = this.redis.key(`{rl:${throttlerName}:${key}}`);
    try {
      const reply = (await this.redis.client.eval(INCREMENT, {
        keys: [`${base}:n`, `${base}:b`],
        arguments: [String(ttlMs), String(limit), String(blockDurationMs)],
      })) as [number, number, number, number];
      this.warned = false;
      const [hits, ttl, blocked, blockTtl] = reply;
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(Math.max(0, ttl) / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockTtl / 1000),
      };
    } catch (error) {
      if (!this.warned) this.logger.warn(`counting in memory while Redis does not answer: ${(error as Error).message}`);
      this.warned = true;
      return this.fallback().increment(key, ttlMs, limit, blockDurationMs, throttlerName);
    }
  }

  private fallback(): ThrottlerStorageService {
    return (this.inMemory ??= new ThrottlerStorageService());
  }
}
