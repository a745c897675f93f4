import type { Router } from 'express';
import type { WebhookEventLogSearchCriteria, WebhookEventLogSearchRequest } from '@fusionauth/typescript-client';
import { InvalidSearch } from '../webhooks/webhook-event-log';
import { ApiContext, fieldError, handle, notFound, param, pathParam } from './api-support';

/** apis/webhook-event-logs: search the Webhook Event Log (POST body or GET parameters), retrieve by id. */
export function systemApi(router: Router, ctx: ApiContext): void {
  const search = (criteria: WebhookEventLogSearchCriteria) => {
    try {
      return ctx.webhookEventLog.search(criteria, ctx.state.now());
    } catch (error) {
      if (error instanceof InvalidSearch) throw fieldError('search.orderBy', 'invalid', error.message);
      throw error;
    }
  };
  router.post(
    '/api/system/webhook-event-log/search',
    handle((req) => search(criteriaOf((req.body as WebhookEventLogSearchRequest | undefined)?.search ?? {}))),
  );
  router.get(
    '/api/system/webhook-event-log/search',
    handle((req) => search(criteriaOf(req.query))),
  );
  router.get(
    '/api/system/webhook-event-log/:logId',
    handle((req) => {
      const webhookEventLog = ctx.webhookEventLog.get(pathParam(req, 'logId'));
      if (!webhookEventLog) throw notFound();
      return { webhookEventLog };
    }),
  );
  router.get(
    '/api/system/webhook-attempt-log/:logId',
    handle((req) => {
      const webhookAttemptLog = ctx.webhookEventLog.attemptLog(pathParam(req, 'logId'));
      if (!webhookAttemptLog) throw notFound();
      return { webhookAttemptLog };
    }),
  );
}

/** The documented fields only, from a JSON body or query parameters (numbers may come as strings). */
function criteriaOf(source: object): WebhookEventLogSearchCriteria {
  const values = source as Record<string, unknown>;
  const text = (name: string) => param(values[name]);
  const number = (name: string) => {
    const value = values[name];
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0)
      throw fieldError(`search.${name}`, 'invalid', `${name} is not a number of ms or rows`);
    return parsed;
  };
  return {
    start: number('start'),
    end: number('end'),
    event: text('event'),
    eventResult: text('eventResult') as WebhookEventLogSearchCriteria['eventResult'],
    eventType: text('eventType') as WebhookEventLogSearchCriteria['eventType'],
    numberOfResults: number('numberOfResults'),
    orderBy: text('orderBy'),
    startRow: number('startRow'),
  };
}
