import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { MetricsService } from '../common/observability/metrics.service';
import { RedisService } from '../redis/redis.service';
import { entriesToWriteBack } from './denylist-healing';
import { DenylistMirror, RevocationLookup } from './denylist-mirror';
import { Gap, MirrorSync } from './mirror-sync';
import { Announcement, AnnouncedEntry, RedisDenylistStore } from './redis-denylist.store';
import { Revocation, subjectKey, TokenFacts } from './revocation';

export { STALE_AFTER_MS } from './mirror-sync';
const HEARTBEAT_EVERY_MS = 200;
/** A request that finds the mirror unconfirmed waits at most this long for a fresh confirmation. */
const CONFIRM_WAIT_MS = 500;
const SWEEP_EVERY_MS = 60_000;
const MAX_MEMORY_EVENTS = 100_000;
const BOOT_WAIT_MS = 3000;
const RESYNC_RETRY_MS = 250;

export type Verdict = 'ok' | 'revoked' | 'unavailable';

/**
 * Revocation state: Redis is the truth (with Redis), and every instance keeps a mirror in memory,
 * loaded at start and kept fresh over pub/sub, so checking a token costs no network round trip.
 * `MirrorSync` decides, from versions and heartbeats, when the mirror can be trusted and when it
 * must be reloaded; this service does the Redis I/O, the timers and the waiting.
 */
@Injectable()
export class DenylistService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Denylist');
  private readonly mirror: DenylistMirror;
  private readonly sync: MirrorSync;
  private readonly store?: RedisDenylistStore;
  /** This instance's heartbeat channel. */
  private readonly heartbeatChannel: string;
  /** In-process de-duplication when there is no Redis. */
  private readonly seenEvents = new Map<string, number>();
  private reloading?: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  /** Entries Redis lost are being written back (readiness says so). */
  healing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {
    this.mirror = new DenylistMirror(() => clock.now());
    this.sync = new MirrorSync(() => clock.now());
    metrics.reportStaleness(() => this.stalenessMs / 1000);
    this.heartbeatChannel = redis.key('denylist', 'heartbeat', randomBytes(9).toString('base64url'));
    if (redis.enabled) this.store = new RedisDenylistStore(redis);
  }

  /** Waits a bounded time for the mirror; with Redis down the service starts anyway and fails closed. */
  async onApplicationBootstrap(): Promise<void> {
    this.timers.push(setInterval(() => this.mirror.sweep(), SWEEP_EVERY_MS).unref());
    if (!this.store) return;
    const started = this.start().catch((error: unknown) => {
      this.logger.error(
        `revocation state not loaded (${(error as Error).message}); checks fail closed until Redis answers`,
      );
      this.scheduleStartRetry();
    });
    await Promise.race([started, new Promise((resolve) => setTimeout(resolve, BOOT_WAIT_MS).unref())]);
    if (!this.fresh) this.logger.warn('revocation state not loaded yet: protected requests answer 503 until it is');
  }

  private subscribed = false;

  private async start(): Promise<void> {
    const store = this.store!;
    if (!this.subscribed) {
      await store.subscribe((announcement) => this.onAnnouncement(announcement));
      await store.subscribeHeartbeats(this.heartbeatChannel, (version, sentAt) => this.onHeartbeat(version, sentAt));
      this.subscribed = true;
      this.timers.push(setInterval(() => void this.beat(), HEARTBEAT_EVERY_MS).unref());
    }
    await this.reload();
    await this.beat();
  }

  private scheduleStartRetry(): void {
    if (this.stopped) return;
    setTimeout(() => {
      this.start().catch(() => this.scheduleStartRetry());
    }, RESYNC_RETRY_MS * 4).unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
  }

  /** Whether checks can be trusted now. */
  get fresh(): boolean {
    if (!this.store) return true;
    return this.sync.isFresh();
  }

  /** Replicas of the master that takes revocations (`INFO replication`); undefined without Redis. */
  async replicaCount(): Promise<number | undefined> {
    return this.store?.replicaCount();
  }

  get entryCount(): number {
    return this.mirror.size;
  }

  /** How long ago the mirror was last confirmed complete (ms); 0 without Redis. */
  get stalenessMs(): number {
    if (!this.store) return 0;
    return this.sync.stalenessMs;
  }

  /**
   * The verdict for a token or session. When the mirror is not confirmed fresh, a heartbeat is sent
   * at once and awaited (at most CONFIRM_WAIT_MS): a quiet moment never turns into a 503, a real
   * outage does.
   */
  async check(facts: TokenFacts | RevocationLookup): Promise<Verdict> {
    const lookup = facts instanceof RevocationLookup ? facts : new RevocationLookup(facts);
    const now = this.verdictNow(lookup);
    if (now) return now;
    await this.confirm();
    if (this.mirror.isRevoked(lookup)) return this.hit();
    return this.fresh ? 'ok' : 'unavailable';
  }

  /**
   * The verdict the mirror gives without waiting: undefined when it is not confirmed fresh (then
   * `check` must be awaited, which asks Redis for a confirmation first).
   */
  verdictNow(lookup: RevocationLookup): Verdict | undefined {
    if (this.mirror.isRevoked(lookup)) return this.hit();
    if (this.fresh || this.config.denylistFailureMode === 'open') return 'ok';
    return undefined;
  }

  private hit(): 'revoked' {
    this.metrics.denylistHit();
    return 'revoked';
  }

  /**
   * Stores revocations (atomically with the event's de-duplication mark) and announces them; this
   * instance's mirror has them at once. False when the event had already been applied.
   */
  async revoke(revocations: readonly Revocation[], event?: { id: string; ttlMs: number }): Promise<boolean> {
    const now = this.clock.now();
    if (this.store) return this.revokeInRedis(this.store, revocations, now, event);
    if (event && (this.seenEvents.get(event.id) ?? 0) > now) return false;
    if (event) this.remember(event, now);
    this.take(revocations.map((r) => [subjectKey(r.subject), r.instant, now + r.ttlMs]));
    return true;
  }

  /**
   * Stored means stored on the primary and, with REDIS_WAIT_REPLICAS, confirmed by that many
   * replicas: short of them the revocation is refused (503, so FusionAuth retries) though this
   * instance already enforces it, and its event stays pending, so the retry applies it again.
   */
  private async revokeInRedis(
    store: RedisDenylistStore,
    revocations: readonly Revocation[],
    now: number,
    event: { id: string; ttlMs: number } | undefined,
  ): Promise<boolean> {
    const { waitReplicas: replicas, waitTimeoutMs: timeoutMs } = this.config.redis;
    let outcome: { applied: boolean; acks: number };
    try {
      outcome = await store.apply(revocations, now, event, { replicas, timeoutMs });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', `revocation not stored: ${(error as Error).message}`);
    }
    if (!outcome.applied) return false;
    this.take(revocations.map((r) => [subjectKey(r.subject), r.instant, now + r.ttlMs]));
    if (outcome.acks < replicas) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `revocation confirmed by ${outcome.acks} of REDIS_WAIT_REPLICAS=${replicas} replicas within ${timeoutMs} ms`,
      );
    }
    if (event && replicas > 0) await store.confirm(event.id).catch(() => undefined);
    return true;
  }

  private take(entries: AnnouncedEntry[]): void {
    for (const [key, instant, expiresAt] of entries) this.mirror.put(key, instant, expiresAt);
  }

  private onAnnouncement({ version, entries }: Announcement): void {
    // Applied whatever its number: entries only ever add revocations.
    this.take(entries);
    const step = this.sync.onAnnouncement(version);
    if (step.kind === 'gap') this.reloadAfter(step);
  }

  private onHeartbeat(version: number, sentAt: number): void {
    const step = this.sync.onHeartbeat(version, sentAt);
    if (step.kind === 'confirmed') this.wake();
    else if (step.kind === 'gap') this.reloadAfter(step);
  }

  private reloadAfter({ reason, news }: Gap): void {
    if (news) this.logger.warn(`revocation announcements missed (${reason}): reloading from Redis`);
    this.reloadThenBeat();
  }

  /** Sends a heartbeat; false when it could not be sent (Redis down): no confirmation will come. */
  private beat(): Promise<boolean> {
    if (this.stopped || !this.store) return Promise.resolve(false);
    return this.store.heartbeat(this.heartbeatChannel, this.clock.now()).then(
      () => true,
      () => false,
    );
  }

  /** Sends a heartbeat now and waits (bounded) until the mirror is confirmed or the bound passes. */
  private async confirm(): Promise<void> {
    if (this.sync.needsReload) this.reloadThenBeat();
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter = () => (this.fresh ? finish() : undefined);
      const timer = setTimeout(finish, CONFIRM_WAIT_MS);
      this.waiters.add(waiter);
      void this.beat().then((sent) => (sent ? undefined : finish()));
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private reloadThenBeat(): void {
    this.reload().then(
      () => void this.beat(),
      () => undefined,
    );
  }

  /**
   * Loads every entry from Redis. Everything up to the version read first is then in the mirror;
   * announcements that arrive meanwhile are applied and counted, so none is lost in between.
   */
  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      const store = this.store!;
      this.sync.reloadStarting();
      try {
        const base = await store.version();
        // A Redis that was reset counts from its own version again; the write-back below heals it.
        this.sync.reloadBase(base);
        const now = this.clock.now();
        const stored = new Map<string, { instant: number; expiresAt: number }>();
        for await (const batch of store.entries(now)) {
          for (const [key, instant, expiresAt] of batch) stored.set(key, { instant, expiresAt });
        }
        await this.writeBackLost(store, stored, now);
        this.take([...stored].map(([key, held]) => [key, held.instant, held.expiresAt]));
        const count = stored.size;
        const first = !this.sync.loaded;
        this.sync.reloaded(base);
        this.logger.log(`revocation state ${first ? 'loaded' : 'reloaded'}: ${count} entries`);
      } catch (error) {
        this.sync.reloadFailed();
        this.logger.warn(`revocation state reload failed (${(error as Error).message}); retrying`);
        if (!this.stopped) {
          setTimeout(() => {
            if (this.sync.needsReload)
              void this.reload().then(
                () => this.beat(),
                () => undefined,
              );
          }, RESYNC_RETRY_MS).unref();
        }
        throw error;
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /**
   * What this instance holds and Redis lost goes back, before the mirror is trusted again: an
   * instance started later, or one that missed nothing, then rejects every token revoked before.
   */
  private async writeBackLost(
    store: RedisDenylistStore,
    stored: ReadonlyMap<string, { instant: number; expiresAt: number }>,
    now: number,
  ): Promise<void> {
    const lost = entriesToWriteBack(this.mirror.live(), stored, now);
    if (lost.length === 0) return;
    this.healing = true;
    this.logger.warn(`Redis lost ${lost.length} revocation entries this instance holds: writing them back`);
    try {
      await store.writeBack(lost, now);
    } finally {
      this.healing = false;
    }
    this.metrics.denylistWrittenBack(lost.length);
    this.logger.log(`revocation state written back to Redis: ${lost.length} entries`);
  }

  private remember(event: { id: string; ttlMs: number }, now: number): void {
    this.seenEvents.set(event.id, now + event.ttlMs);
    if (this.seenEvents.size > MAX_MEMORY_EVENTS) this.seenEvents.delete(this.seenEvents.keys().next().value!);
  }
}
