import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RedisService } from './redis.service';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * A fixed window per key, and a block once the limit is passed, in one atomic step: `lease` hits are
 * counted at once, the first of them the request's own. KEYS: [hits, block] (one hash tag, so one
 * Cluster slot); ARGV: [ttlMs, limit, blockMs, lease]. Returns [hits after the lease, hitsTtlMs,
 * blocked (0/1), blockTtlMs]. The lease's first hit decides: past the limit, the key is blocked.
 */
const INCREMENT = `
local blockTtl = redis.call('PTTL', KEYS[2])
local lease = blockTtl > 0 and 1 or tonumber(ARGV[4])
local hits = redis.call('INCRBY', KEYS[1], lease)
if hits == lease then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if blockTtl > 0 then return {hits, ttl, 1, blockTtl} end
if hits - lease + 1 > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}`;

/** A limit is leased in hundredths of itself: another instance can be refused at most that much early. */
const LEASE_FRACTION = 100;
const MAX_LEASE = 1000;
/** Keys with a lease held at once; the oldest goes first (a lost lease only counts stricter). */
const MAX_LEASES = 10_000;
/** A request that found the lease just taken waits for the next one at most this often, then counts alone. */
const MAX_LEASE_WAITS = 3;

/**
 * How many hits one Redis round trip takes for this instance: a hundredth of the limit, so only a
 * limit of 200 or more is leased at all; smaller ones (logins, password changes) count each hit in
 * Redis as it comes.
 */
export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(limit / LEASE_FRACTION)));
}

/** Hits this instance took from Redis and has not used yet, numbered as Redis numbered them. */
interface Lease {
  next: number;
  readonly last: number;
  readonly windowEndsAt: number;
}

/**
 * Rate-limit counters in Redis, so a limit holds across every instance that shares it. A high limit
 * (a webhook's thousands per window) is taken in leases, so most requests cost no round trip: every
 * hit an instance admits was counted in Redis first, within the limit, so the instances together
 * never admit more than the limit; hits leased and not used before the window ends only make the
 * others stricter. While Redis does not answer, this instance counts in memory: limits still hold
 * per instance, and an outage of the counters never turns into refused logins or lost webhooks on
 * its own.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private inMemory?: ThrottlerStorageService;
  private warned = false;
  private readonly leases = new Map<string, Lease>();
  private readonly leasing = new Map<string, Promise<ThrottlerStorageRecord>>();

  constructor(
    private readonly redis: RedisService,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!this.redis.enabled) return this.fallback().increment(key, ttlMs, limit, blockDurationMs, throttlerName);
    const base = this.redis.key(`{rl:${throttlerName}:${key}}`);
    const lease = leaseSize(limit);
    try {
      if (lease === 1) return await this.count(base, ttlMs, limit, blockDurationMs, 1);
      for (let waits = 0; waits < MAX_LEASE_WAITS; waits++) {
        const hit = this.fromLease(base);
        if (hit) return hit;
        const pending = this.leasing.get(base);
        if (!pending) return await this.newLease(base, ttlMs, limit, blockDurationMs, lease);
        // Another request of this instance is taking a lease: its hits are shared, not leased twice.
        const answer = await pending;
        if (answer.isBlocked) return answer;
      }
      return await this.count(base, ttlMs, limit, blockDurationMs, 1);
    } catch (error) {
      if (!this.warned) this.logger.warn(`counting in memory while Redis does not answer: ${(error as Error).message}`);
      this.warned = true;
      return this.fallback().increment(key, ttlMs, limit, blockDurationMs, throttlerName);
    }
  }

  /** The next hit of a lease still in its window, or undefined when there is none left. */
  private fromLease(base: string): ThrottlerStorageRecord | undefined {
    const lease = this.leases.get(base);
    if (!lease) return undefined;
    const leftMs = lease.windowEndsAt - this.now();
    if (lease.next > lease.last || leftMs <= 0) {
      this.leases.delete(base);
      return undefined;
    }
    return { totalHits: lease.next++, timeToExpire: Math.ceil(leftMs / 1000), isBlocked: false, timeToBlockExpire: 0 };
  }

  private newLease(
    base: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    lease: number,
  ): Promise<ThrottlerStorageRecord> {
    const takenAt = this.now();
    const leasing = this.count(base, ttlMs, limit, blockDurationMs, lease, (first, hitsTtlMs) => {
      const last = Math.min(first + lease - 1, limit);
      if (last <= first || hitsTtlMs <= 0) return;
      if (this.leases.size >= MAX_LEASES) this.leases.delete(this.leases.keys().next().value!);
      this.leases.set(base, { next: first + 1, last, windowEndsAt: takenAt + hitsTtlMs });
    });
    this.leasing.set(base, leasing);
    const done = () => this.leasing.delete(base);
    void leasing.then(done, done);
    return leasing;
  }

  /** One round trip: `lease` hits counted, the first of them this request's. */
  private async count(
    base: string,
    ttlMs: number,
    limit: number,
    blockDurationMs: number,
    lease: number,
    onGranted?: (first: number, hitsTtlMs: number) => void,
  ): Promise<ThrottlerStorageRecord> {
    const reply = (await this.redis.client.eval(INCREMENT, {
      keys: [`${base}:n`, `${base}:b`],
      arguments: [String(ttlMs), String(limit), String(blockDurationMs), String(lease)],
    })) as [number, number, number, number];
    this.warned = false;
    const [hits, ttl, blocked, blockTtl] = reply;
    const first = blocked === 1 ? hits : hits - lease + 1;
    if (blocked !== 1) onGranted?.(first, ttl);
    return {
      totalHits: first,
      timeToExpire: Math.ceil(Math.max(0, ttl) / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockTtl / 1000),
    };
  }

  private fallback(): ThrottlerStorageService {
    return (this.inMemory ??= new ThrottlerStorageService());
  }
}
