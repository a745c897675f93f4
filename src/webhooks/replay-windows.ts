/** An `insertInstant` range of FusionAuth's Webhook Event Log (ms since the epoch). */
export interface ReplayWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * The outages of the revocation store that still need a replay. An outage runs from when it was
 * noticed to when Redis answered again; its window reaches `marginMs` further on both sides, for the
 * time it took to notice, deliveries already failing before, and FusionAuth's clock not being ours.
 * A window whose search fails is put back, merged with any later outage, and searched again.
 */
export class ReplayWindows {
  private lostAt?: number;
  private pending?: ReplayWindow;

  constructor(private readonly marginMs: number) {}

  lost(now: number): void {
    this.lostAt ??= now;
  }

  /** True when an outage ended and its window now waits for a replay. */
  restored(now: number): boolean {
    if (this.lostAt === undefined) return false;
    this.putBack({ start: this.lostAt - this.marginMs, end: now + this.marginMs });
    this.lostAt = undefined;
    return true;
  }

  /** The window to search now (removed until put back). */
  take(): ReplayWindow | undefined {
    const window = this.pending;
    this.pending = undefined;
    return window;
  }

  putBack(window: ReplayWindow): void {
    const pending = this.pending;
    // One window covering both: what lies between was delivered, and answers `duplicate` again.
    this.pending = pending
      ? { start: Math.min(pending.start, window.start), end: Math.max(pending.end, window.end) }
      : window;
  }
}
