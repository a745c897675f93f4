import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/load-config';
import { RedisDenylistStore } from '../../src/denylist/redis-denylist.store';
import { Revocation } from '../../src/denylist/revocation';
import { RedisService } from '../../src/redis/redis.service';
import { BenchOptions } from '../options';
import { BenchStack } from '../stack/bench-stack';
import { log, loud } from '../support/log';
import { round } from '../support/stats';
import { sleep } from '../support/time';

export interface DenylistStats {
  readonly bytes_per_entry: number;
  readonly entries: number;
  readonly present_when_measured: number;
  readonly used_memory_before: number;
  readonly used_memory_after: number;
  readonly used_memory_after_expiry: number;
  readonly insert_ms: number;
  readonly ttl_ms: number;
  readonly expired: boolean;
  readonly gone_ms_after_ttl: number | null;
}

/**
 * The service's own Redis client and denylist store, configured as the service configures them, on
 * a database of their own (so the keys of earlier phases do not change the size of its hash tables)
 * and under a prefix as long as the service's default (`fag:`).
 */
async function serviceStore(
  stack: BenchStack,
): Promise<{ redis: RedisService; store: RedisDenylistStore; issuerKey: string }> {
  const config = loadConfig({
    NODE_ENV: 'development',
    REDIS_URL: `${stack.redisUrl}/1`,
    REDIS_KEY_PREFIX: 'mem:',
    SESSION_STORE: 'redis',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef-not-for-production',
    OIDC_ISSUER: stack.idp.issuer,
    FUSIONAUTH_URL: stack.idp.url,
  });
  const redis = await RedisService.start(config);
  return { redis, store: new RedisDenylistStore(redis), issuerKey: config.providers[0]!.issuerKey };
}

/** Redis grows a hash table incrementally, holding old and new tables until it is done: wait until steady. */
async function steady(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function insert(store: RedisDenylistStore, issuerKey: string, options: BenchOptions): Promise<number> {
  const batch = 1000;
  let lastExpiry = 0;
  for (let done = 0; done < options.denylistEntries; done += batch) {
    const now = Date.now();
    const revocations: Revocation[] = Array.from({ length: Math.min(batch, options.denylistEntries - done) }, () => ({
      subject: { kind: 'user', issuerKey, userId: randomUUID() },
      instant: now,
      ttlMs: options.denylistTtlMs,
    }));
    await store.apply(revocations, now);
    lastExpiry = now + options.denylistTtlMs;
  }
  return lastExpiry;
}

/** What the phase reads from Redis: memory, and the entries (the store's one version counter is a single key, not an entry). */
function probes(redis: RedisService, store: RedisDenylistStore) {
  return {
    usedMemory: async () => Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]),
    entries: async () => (await redis.client.dbSize()) - (await redis.client.exists(store.versionKey)),
  };
}

/** Waits until no entry is left, at most 15 s; returns how many are left and how long it took. */
async function waitForExpiry(entries: () => Promise<number>): Promise<{ left: number; goneMs: number }> {
  const started = Date.now();
  let left = await entries();
  while (left > 0 && Date.now() - started < 15_000) {
    await sleep(200);
    left = await entries();
  }
  return { left, goneMs: Date.now() - started };
}

/**
 * Redis memory per revocation entry in the service's format (written by its own atomic script), and
 * the same entries gone after their TTL.
 */
export async function denylistPhase(
  stack: BenchStack,
  options: BenchOptions,
  warnings: string[],
): Promise<DenylistStats> {
  const { redis, store, issuerKey } = await serviceStore(stack);
  const warn = (problem: string) => {
    warnings.push(problem);
    loud(problem);
  };
  try {
    const { usedMemory, entries } = probes(redis, store);
    await store.apply([], Date.now());
    if ((await entries()) !== 0) throw new Error('database 1 holds keys before the phase');
    const before = await usedMemory();
    const started = performance.now();
    const lastExpiry = await insert(store, issuerKey, options);
    const insertMs = round(performance.now() - started, 0);
    const after = await steady(usedMemory);
    const present = await entries();
    const bytesPerEntry = round((after - before) / options.denylistEntries, 1);
    log(
      `  ${options.denylistEntries} entries in ${insertMs} ms: used_memory +${after - before} bytes = ${bytesPerEntry} bytes/entry`,
    );
    if (present !== options.denylistEntries) {
      warn(`denylist phase: ${present} of ${options.denylistEntries} entries present when memory was measured`);
    }
    await sleep(Math.max(0, lastExpiry - Date.now()));
    const { left, goneMs } = await waitForExpiry(entries);
    log(
      left === 0
        ? `  all entries gone ${goneMs} ms after their TTL`
        : `  ${left} entries NOT gone 15 s after their TTL`,
    );
    if (left > 0) warn(`denylist entries not gone after their TTL (${left} left)`);
    return {
      bytes_per_entry: bytesPerEntry,
      entries: options.denylistEntries,
      present_when_measured: present,
      used_memory_before: before,
      used_memory_after: after,
      used_memory_after_expiry: await usedMemory(),
      insert_ms: insertMs,
      ttl_ms: options.denylistTtlMs,
      expired: left === 0,
      gone_ms_after_ttl: left === 0 ? goneMs : null,
    };
  } finally {
    await redis.onApplicationShutdown();
  }
}
