import { Injectable } from '@nestjs/common';
import type { EventType, WebhookEventLog } from '@fusionauth/typescript-client';
import { ProviderConfig } from '../config/app-config';
import { allPages, PagingLimits } from './event-log-pages';
import { FusionAuthClients } from './fusionauth-clients';

export interface EventLogCriteria {
  /** `insertInstant` range, ms since the epoch, FusionAuth's clock. */
  readonly start: number;
  readonly end: number;
  readonly eventType: string;
}

const LIMITS: PagingLimits = { pageSize: 100, maxRows: 10_000 };

/**
 * FusionAuth's Webhook Event Log (`POST /api/system/webhook-event-log/search`, a global API key),
 * through @fusionauth/typescript-client with the provider's tenant header, oldest first, page by page.
 * A failed call throws (the caller retries later).
 */
@Injectable()
export class FusionAuthEventLogService {
  constructor(private readonly clients: FusionAuthClients) {}

  search(provider: ProviderConfig, criteria: EventLogCriteria, limits = LIMITS): AsyncGenerator<WebhookEventLog> {
    return allPages(async (startRow, numberOfResults) => {
      try {
        const { response } = await this.clients.call(provider, (c) =>
          c.searchWebhookEventLogs({
            search: {
              start: criteria.start,
              end: criteria.end,
              eventType: criteria.eventType as EventType,
              orderBy: 'insertInstant ASC',
              startRow,
              numberOfResults,
            },
          }),
        );
        return { total: response.total, rows: response.webhookEventLogs };
      } catch (error) {
        throw this.clients.outage(error, 'webhook event log search');
      }
    }, limits);
  }
}
