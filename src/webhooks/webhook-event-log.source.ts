import { ProviderConfig } from '../config/app-config';

/** One entry of FusionAuth's Webhook Event Log, as far as the replay reads it. */
export interface LoggedWebhookEvent {
  readonly id?: string;
  /** `Running`, `Succeeded` or `Failed` (a transactional event whose change FusionAuth rolled back). */
  readonly eventResult?: string;
  /** The whole request FusionAuth sent: `{"event": {…}}`. */
  readonly event?: unknown;
}

export interface EventLogSearch {
  /** `insertInstant` range (ms, FusionAuth's clock). */
  readonly start: number;
  readonly end: number;
  readonly eventType: string;
}

/**
 * Where the replay reads FusionAuth's Webhook Event Log. Implemented by the FusionAuth wrapper and
 * bound by the composition root: `webhooks` does not import `fusionauth` (DESIGN.md's table).
 */
export abstract class WebhookEventLogSource {
  /** Every matching entry, oldest first; throws when FusionAuth cannot be asked. */
  abstract search(provider: ProviderConfig, criteria: EventLogSearch): AsyncIterable<LoggedWebhookEvent>;
}
