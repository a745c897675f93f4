import { randomUUID } from 'node:crypto';
import type {
  EventRequest,
  EventType,
  WebhookAttemptLog,
  WebhookAttemptResult,
  WebhookEventLog,
  WebhookEventLogSearchCriteria,
  WebhookEventLogSearchResponse,
  WebhookEventResult,
} from '@fusionauth/typescript-client';
import { EventBody } from './events';

export interface AttemptOutcome {
  readonly webhookId: string;
  readonly url: string;
  readonly startInstant: number;
  readonly endInstant: number;
  readonly statusCode?: number;
  readonly exception?: string;
}

/** apis/webhook-event-logs: the columns `orderBy` accepts. */
const ORDER_COLUMNS = [
  'eventResult',
  'eventType',
  'id',
  'insertInstant',
  'lastAttemptInstant',
  'linkedObjectId',
  'sequence',
] as const;
type OrderColumn = (typeof ORDER_COLUMNS)[number];
const MINUTE_MS = 60_000;

export class InvalidSearch extends Error {}

/**
 * FusionAuth's Webhook Event Log, kept by the dev IdP for its own deliveries: one entry per event,
 * with the whole request it sent (`{"event": …}`), every attempt to every webhook and its result.
 * The dev IdP never waits for a webhook (every event is sent as under the transaction setting "No
 * webhooks are required to succeed"), so an entry turns `Succeeded` once its payload has been sent to
 * every webhook, whatever they answered, as FusionAuth records non-transactional events; retries
 * after that add attempts.
 */
export class WebhookEventLogs {
  private readonly logs = new Map<string, WebhookEventLog>();
  private readonly attempts = new Map<string, WebhookAttemptLog>();
  private sequence = 0;

  open(event: EventBody, now: number): WebhookEventLog {
    const user = event.user as { id?: string } | undefined;
    const log: WebhookEventLog = {
      attempts: [],
      data: {},
      event: { event } as unknown as EventRequest,
      eventResult: 'Running' as WebhookEventResult,
      eventType: event.type as EventType,
      failedAttempts: 0,
      id: randomUUID(),
      insertInstant: now,
      lastAttemptInstant: now,
      lastUpdateInstant: now,
      ...(user?.id ? { linkedObjectId: user.id } : {}),
      sequence: ++this.sequence,
      successfulAttempts: 0,
    };
    this.logs.set(log.id!, log);
    return log;
  }

  attempt(log: WebhookEventLog, outcome: AttemptOutcome): void {
    const ok = outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const attempt: WebhookAttemptLog = {
      attemptResult: (ok ? 'Success' : 'Failure') as WebhookAttemptResult,
      data: {},
      endInstant: outcome.endInstant,
      id: randomUUID(),
      startInstant: outcome.startInstant,
      webhookCallResponse: {
        url: outcome.url,
        ...(outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}),
        ...(outcome.exception !== undefined ? { exception: outcome.exception } : {}),
      },
      webhookEventLogId: log.id,
      webhookId: outcome.webhookId,
    };
    this.attempts.set(attempt.id!, attempt);
    log.attempts!.push(attempt);
    if (ok) log.successfulAttempts = (log.successfulAttempts ?? 0) + 1;
    else log.failedAttempts = (log.failedAttempts ?? 0) + 1;
    log.lastAttemptInstant = outcome.startInstant;
    log.lastUpdateInstant = outcome.endInstant;
  }

  /** The payload has been sent to every webhook once. */
  sent(log: WebhookEventLog, now: number): void {
    log.eventResult = 'Succeeded' as WebhookEventResult;
    log.lastUpdateInstant = now;
  }

  get(id: string): WebhookEventLog | undefined {
    return this.logs.get(id);
  }

  attemptLog(id: string): WebhookAttemptLog | undefined {
    return this.attempts.get(id);
  }

  /** apis/webhook-event-logs, search: its defaults, filters, order and paging. */
  search(criteria: WebhookEventLogSearchCriteria, now: number): WebhookEventLogSearchResponse {
    const start = criteria.start ?? Math.floor((now - 60 * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
    const end = criteria.end ?? Math.ceil(now / MINUTE_MS) * MINUTE_MS;
    const text = criteria.event ? wildcard(criteria.event) : undefined;
    const matching = [...this.logs.values()].filter(
      (log) =>
        log.insertInstant! >= start &&
        log.insertInstant! <= end &&
        (!criteria.eventType || log.eventType === criteria.eventType) &&
        (!criteria.eventResult || log.eventResult === criteria.eventResult) &&
        (!text || text.test(JSON.stringify(log.event))),
    );
    const [column, direction] = orderOf(criteria.orderBy);
    const sign = direction === 'DESC' ? -1 : 1;
    matching.sort((a, b) => sign * compare(a[column], b[column]));
    const startRow = criteria.startRow ?? 0;
    const numberOfResults = criteria.numberOfResults ?? 25;
    return { total: matching.length, webhookEventLogs: matching.slice(startRow, startRow + numberOfResults) };
  }
}

function orderOf(orderBy: string | undefined): [OrderColumn, 'ASC' | 'DESC'] {
  const [column = 'insertInstant', direction = 'ASC', ...rest] = (orderBy ?? 'insertInstant DESC').trim().split(/\s+/);
  const upper = direction.toUpperCase();
  if (!ORDER_COLUMNS.includes(column as OrderColumn) || (upper !== 'ASC' && upper !== 'DESC') || rest.length > 0)
    throw new InvalidSearch(`orderBy: ${orderBy}`);
  return [column as OrderColumn, upper];
}

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
};

/** `*` is a wildcard; without one the value matches anywhere (`*value*`). */
function wildcard(value: string): RegExp {
  const pattern = value.includes('*') ? value : `*${value}*`;
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'is');
}
