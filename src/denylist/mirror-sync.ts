/**
 * The mirror is trusted only while a heartbeat sent less than this long ago has come back with
 * nothing missed: a revocation answered 200 this long ago is then certainly in it.
 */
export const STALE_AFTER_MS = 1000;

/** Something was missed: the state must be reloaded from Redis. */
export interface Gap {
  readonly kind: 'gap';
  readonly reason: string;
  /** No reload was pending yet: this gap is news (worth a warning). */
  readonly news: boolean;
}

/** applied: the version moved on; ahead: kept until the ones before it come; ignored: seen during a reload. */
export type AnnouncementStep = { readonly kind: 'applied' | 'ahead' | 'ignored' } | Gap;
/** confirmed: the mirror is fresh as of the heartbeat; ignored: a reload is under way or pending. */
export type HeartbeatStep = { readonly kind: 'confirmed' | 'ignored' } | Gap;

/**
 * The mirror's synchronisation protocol, without I/O: what to do with an announcement, a heartbeat
 * and a reload, and whether the mirror can be trusted now.
 *
 * Every change in Redis carries the next version number. Each instance applies announcements in
 * order and, every 200 ms, publishes itself a heartbeat through the same Redis server that says the
 * current version: when it comes back equal to the last version applied, nothing was missed up to
 * the moment it was sent. A gap (a lost message, a reconnect, a Redis that restarted empty) reloads
 * the state from Redis; without a confirmation for STALE_AFTER_MS, checks fail closed. This works the
 * same on one server, Sentinel and Cluster, whatever the connection events say.
 */
export class MirrorSync {
  /** The last version applied with none missing before it. */
  private version = 0;
  /** Versions seen ahead of `version` (out of order, or during a reload). */
  private readonly ahead = new Set<number>();
  private pendingReload = true;
  private reloading = false;
  private everLoaded = false;
  /** When the latest heartbeat that confirmed the mirror was sent. */
  private confirmedAt = -Infinity;

  constructor(private readonly now: () => number) {}

  /** The version the mirror holds completely. */
  get currentVersion(): number {
    return this.version;
  }

  /** A gap was seen (or nothing was loaded yet) and no reload has completed since. */
  get needsReload(): boolean {
    return this.pendingReload;
  }

  /** A reload has completed at least once. */
  get loaded(): boolean {
    return this.everLoaded;
  }

  /** Loaded, nothing missed, and confirmed by a heartbeat sent less than STALE_AFTER_MS ago. */
  isFresh(): boolean {
    return this.everLoaded && !this.pendingReload && this.now() - this.confirmedAt < STALE_AFTER_MS;
  }

  /** How long ago the mirror was last confirmed complete (ms). */
  get stalenessMs(): number {
    return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, this.now() - this.confirmedAt));
  }

  /**
   * Its entries are applied whatever its number (they only ever add revocations); this says what the
   * number means. A number at or below ours outside a reload: Redis was reset (it lost its data, or
   * another Redis took over).
   */
  onAnnouncement(version: number): AnnouncementStep {
    if (version === this.version + 1) {
      this.version = version;
      this.catchUp();
      return { kind: 'applied' };
    }
    if (version > this.version) {
      this.ahead.add(version);
      return { kind: 'ahead' };
    }
    if (this.reloading) return { kind: 'ignored' };
    return this.gap(`announcement ${version} after ${this.version}`);
  }

  /** A heartbeat this instance sent at `sentAt`, naming the version Redis had then. */
  onHeartbeat(version: number, sentAt: number): HeartbeatStep {
    if (this.reloading) return { kind: 'ignored' };
    if (version !== this.version) return this.gap(`heartbeat says version ${version}, the mirror has ${this.version}`);
    if (this.pendingReload) return { kind: 'ignored' };
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    return { kind: 'confirmed' };
  }

  /** A reload begins: announcements at or below the version no longer mean a gap, heartbeats wait. */
  reloadStarting(): void {
    this.reloading = true;
  }

  /**
   * The reload read Redis's version first. True when it is below ours: Redis was reset (it lost its
   * data, or a replica with less took over), and versions are counted from its version again.
   */
  reloadBase(base: number): boolean {
    if (base >= this.version) return false;
    this.version = base;
    this.ahead.clear();
    return true;
  }

  /**
   * Every entry up to `base` is in the mirror, and announcements that came meanwhile were applied:
   * the version is the later of the two, caught up with any seen ahead.
   */
  reloaded(base: number): void {
    this.version = Math.max(this.version, base);
    for (const seen of [...this.ahead]) if (seen <= this.version) this.ahead.delete(seen);
    this.catchUp();
    this.pendingReload = false;
    this.everLoaded = true;
    this.reloading = false;
  }

  /** The reload failed: a reload is still needed. */
  reloadFailed(): void {
    this.reloading = false;
  }

  private catchUp(): void {
    while (this.ahead.delete(this.version + 1)) this.version++;
  }

  private gap(reason: string): Gap {
    const news = !this.pendingReload;
    this.pendingReload = true;
    return { kind: 'gap', reason, news };
  }
}
