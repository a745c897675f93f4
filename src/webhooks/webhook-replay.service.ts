import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { MetricsService } from '../common/observability/metrics.service';
import { RedisService } from '../redis/redis.service';
import { ReplayWindow, ReplayWindows } from './replay-windows';
import { HANDLED_TYPES, ParsedEvent, readEnvelope } from './webhook-event';
import { LoggedWebhookEvent, WebhookEventLogSource } from './webhook-event-log.source';
import { MAX_CLOCK_SKEW_MS, WebhookProvider, WebhooksService, WebhookStatus } from './webhooks.service';

type ReplayOutcome = WebhookStatus | 'rejected';

/** Redis answers again: a moment for FusionAuth's own retries in flight to land first. */
const FIRST_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * After an outage of the revocation store, the events FusionAuth could not deliver meanwhile (it
 * retries a few times, then only its Webhook Event Log remembers them) are read back from that log
 * and applied through the same path as a webhook: de-duplicated by `event.id`, so every instance may
 * replay the same window and each event takes effect once.
 *
 * Searched: each handled type, over the outage's window, whatever `eventResult` says but `Failed`.
 * FusionAuth marks a non-transactional event (`jwt.refresh-token.revoke`, `jwt.refresh`) `Succeeded`
 * once it has sent it, whatever the webhook answered, so `eventResult: Failed` would find none of
 * the revocations that were lost; `Failed` is a transactional event whose change was rolled back.
 */
@Injectable()
export class WebhookReplayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookReplay');
  private readonly windows = new ReplayWindows(MAX_CLOCK_SKEW_MS);
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly redis: RedisService,
    private readonly webhooks: WebhooksService,
    private readonly eventLog: WebhookEventLogSource,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.redis.enabled || this.providers().length === 0) return;
    // Redis already down at start: webhooks answered 503 until now may be in the log too.
    if (this.redis.isDown) this.windows.lost(this.clock.now());
    this.redis.onConnectionChange((up) => {
      if (!up) this.windows.lost(this.clock.now());
      else if (this.windows.restored(this.clock.now())) this.schedule(FIRST_DELAY_MS);
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Providers whose event log can be read: FusionAuth ones with an API key. */
  private providers(): WebhookProvider[] {
    return this.webhooks.webhookProviders.filter((p) => p.fusionAuth?.apiKey);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running ??= this.drain().finally(() => (this.running = undefined));
    }, delayMs).unref();
  }

  private async drain(): Promise<void> {
    for (let window = this.windows.take(); window && !this.stopped; window = this.windows.take()) {
      try {
        await this.replay(window);
        this.failures = 0;
      } catch (error) {
        this.windows.putBack(window);
        this.metrics.webhookReplay('failed');
        const retryMs = Math.min(MAX_RETRY_DELAY_MS, FIRST_DELAY_MS * 2 ** this.failures++);
        this.logger.warn(
          `replay from FusionAuth's Webhook Event Log failed (${(error as Error).message}); retrying in ${retryMs} ms`,
        );
        this.schedule(retryMs);
        return;
      }
    }
  }

  private async replay(window: ReplayWindow): Promise<void> {
    const counts: Record<ReplayOutcome, number> = { applied: 0, duplicate: 0, ignored: 0, rejected: 0 };
    for (const provider of this.providers()) {
      for (const eventType of HANDLED_TYPES) {
        for await (const entry of this.eventLog.search(provider, { ...window, eventType })) {
          const outcome = await this.replayOne(provider, entry);
          counts[outcome]++;
          this.metrics.webhookReplayedEvent(eventType, outcome);
        }
      }
    }
    this.metrics.webhookReplay('completed');
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    this.logger.log(
      `replayed FusionAuth's Webhook Event Log from ${iso(window.start)} to ${iso(window.end)}: ${total} event(s), ` +
        `${counts.applied} applied, ${counts.duplicate} duplicate, ${counts.ignored} ignored, ${counts.rejected} rejected`,
    );
  }

  private async replayOne(provider: WebhookProvider, entry: LoggedWebhookEvent): Promise<ReplayOutcome> {
    // Rolled back by FusionAuth (a transactional event its webhooks refused): the change never happened.
    if (entry.eventResult === 'Failed') return 'ignored';
    let parsed: ParsedEvent;
    try {
      parsed = readEnvelope(entry.event);
    } catch (error) {
      this.logger.warn(`event log entry ${entry.id ?? '?'} is not an event: ${(error as Error).message}`);
      return 'rejected';
    }
    // One FusionAuth, several tenants: each provider takes only its own tenant's events.
    const tenantId = parsed.fields.tenantId;
    const ours = provider.fusionAuth?.tenantId;
    if (ours && typeof tenantId === 'string' && tenantId !== ours) return 'ignored';
    try {
      return await this.webhooks.apply(provider, parsed, 'replay');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'BAD_REQUEST') throw error;
      this.logger.warn(`event ${parsed.envelope.id} from the event log: ${error.message}`);
      return 'rejected';
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
