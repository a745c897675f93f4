import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type LoginWay = 'oidc' | 'password';
export type LoginOutcome = 'success' | 'rejected' | 'error';
export type GuardKind = 'bearer' | 'session';
export type GuardOutcome = 'allowed' | 'refused';
type GuardChild = ReturnType<Histogram<'guard' | 'outcome'>['labels']>;

/** Event types counted by name; anything else is `other`, so a sender cannot grow the label set. */
const KNOWN_EVENT_TYPES = new Set([
  'jwt.refresh-token.revoke',
  'jwt.refresh',
  'jwt.public-key.update',
  'user.deactivate',
  'user.reactivate',
  'user.delete',
  'user.registration.create',
  'user.registration.update',
  'user.registration.delete',
  'user.login.success',
]);

/**
 * The service's Prometheus metrics, in a registry of its own (one per application instance, so
 * several instances in one process, as in the tests, never mix their counts).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logins = new Counter({
    name: 'fusionauth_guard_logins_total',
    help: 'Logins by way (oidc, password) and outcome (success, rejected, error).',
    labelNames: ['way', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly callbackRejections = new Counter({
    name: 'fusionauth_guard_callback_rejections_total',
    help: 'OIDC callbacks refused, by reason (the error code).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly refreshes = new Counter({
    name: 'fusionauth_guard_token_refreshes_total',
    help: 'Access-token refreshes of sessions, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly webhookEvents = new Counter({
    name: 'fusionauth_guard_webhook_events_total',
    help: 'FusionAuth webhook events by type and outcome (applied, duplicate, ignored, rejected, failed).',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly replays = new Counter({
    name: 'fusionauth_guard_webhook_replays_total',
    help: "Replays of FusionAuth's Webhook Event Log after a Redis outage, by outcome (completed, failed).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly replayedEvents = new Counter({
    name: 'fusionauth_guard_webhook_replayed_events_total',
    help: 'Events read back from the Webhook Event Log, by type and outcome (applied, duplicate, ignored, rejected).',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly denylistHits = new Counter({
    name: 'fusionauth_guard_denylist_hits_total',
    help: 'Requests refused because their token or session was revoked.',
    registers: [this.registry],
  });
  private readonly writtenBack = new Counter({
    name: 'fusionauth_guard_denylist_written_back_total',
    help: 'Revocation entries this instance wrote back to a Redis that had lost them (a flush, a restart, a failover).',
    registers: [this.registry],
  });
  private readonly guardDuration = new Histogram({
    name: 'fusionauth_guard_guard_duration_seconds',
    help: 'Time the global guard took to admit or refuse a protected request.',
    labelNames: ['guard', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly guardChildren = new Map<string, GuardChild>();
  private staleness?: () => number;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fusionauth_guard_' });
    const read = () => this.staleness?.() ?? 0;
    new Gauge({
      name: 'fusionauth_guard_denylist_staleness_seconds',
      help: 'Time since this instance last confirmed its revocation mirror is current.',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  login(way: LoginWay, outcome: LoginOutcome): void {
    this.logins.inc({ way, outcome });
  }

  callbackRejected(reason: string): void {
    this.callbackRejections.inc({ reason });
  }

  refresh(outcome: 'success' | 'failure'): void {
    this.refreshes.inc({ outcome });
  }

  webhookEvent(type: string | undefined, outcome: string): void {
    this.webhookEvents.inc({ type: type && KNOWN_EVENT_TYPES.has(type) ? type : 'other', outcome });
  }

  webhookReplay(outcome: 'completed' | 'failed'): void {
    this.replays.inc({ outcome });
  }

  webhookReplayedEvent(type: string, outcome: string): void {
    this.replayedEvents.inc({ type: KNOWN_EVENT_TYPES.has(type) ? type : 'other', outcome });
  }

  denylistHit(): void {
    this.denylistHits.inc();
  }

  denylistWrittenBack(entries: number): void {
    this.writtenBack.inc(entries);
  }

  /** Starts a guard timer; call the result with the outcome when the guard has decided. */
  guardTimer(guard: GuardKind): (outcome: GuardOutcome) => void {
    const startedAt = performance.now();
    return (outcome) => this.guardChild(guard, outcome).observe((performance.now() - startedAt) / 1000);
  }

  /** The histogram's child for one label pair, bound once: every protected request observes one. */
  private guardChild(guard: GuardKind, outcome: GuardOutcome): GuardChild {
    const name = `${guard}:${outcome}`;
    let child = this.guardChildren.get(name);
    if (!child) {
      child = this.guardDuration.labels({ guard, outcome });
      this.guardChildren.set(name, child);
    }
    return child;
  }

  /** The denylist registers how its staleness is read (the denylist imports common, not the reverse). */
  reportStaleness(read: () => number): void {
    this.staleness = read;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
