import FusionAuthClient, { WebhookEventLog } from '@fusionauth/typescript-client';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * The dev IdP's Webhook Event Log (apis/webhook-event-logs), read through FusionAuth's own client:
 * one entry per event with the request it sent and every attempt, searchable as FusionAuth searches.
 */
describe("the dev IdP's Webhook Event Log", () => {
  let receiver: WebhookReceiver;
  let idp: DevIdp;
  let client: FusionAuthClient;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    idp = await startDevIdp({ webhookUrl: receiver.url });
    client = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
  });
  afterAll(async () => {
    await idp.close();
    await receiver.close();
  });

  const since = Date.now() - 1000;
  const search = async (criteria: Record<string, unknown>) =>
    (await client.searchWebhookEventLogs({ search: { start: since, ...criteria } })).response;

  it('logs a delivery that kept failing with its four attempts, and still calls it Succeeded (non-transactional)', async () => {
    receiver.status = 503;
    await client.revokeRefreshTokensByUserId(K.admin.id);
    await idp.webhooks.settled();
    receiver.status = 200;

    const { total, webhookEventLogs } = await search({ eventType: 'jwt.refresh-token.revoke' });
    expect(total).toBe(1);
    const log = webhookEventLogs![0]!;
    expect(log).toMatchObject({ eventResult: 'Succeeded', failedAttempts: 4, successfulAttempts: 0 });
    expect(log.attempts!.map((a) => [a.attemptResult, a.webhookCallResponse?.statusCode])).toEqual(
      Array(4).fill(['Failure', 503]),
    );
    // The whole request as sent: `{"event": {…}}`, the very body the webhook received.
    const sent = receiver.ofType('jwt.refresh-token.revoke').at(-1)!;
    expect(log.event).toEqual(sent.json);
    expect((await client.retrieveWebhookEventLog(log.id!)).response.webhookEventLog).toEqual(log);
    const attempt = log.attempts![0]!;
    expect((await client.retrieveWebhookAttemptLog(attempt.id!)).response.webhookAttemptLog).toEqual(attempt);
  });

  it('filters by type, result, window and text, orders and pages as documented', async () => {
    await client.deactivateUser(K.richard.id);
    await client.reactivateUser(K.richard.id);
    await idp.webhooks.settled();
    const all = await search({ orderBy: 'insertInstant ASC', numberOfResults: 100 });
    const types = all.webhookEventLogs!.map((l) => l.eventType);
    expect(types).toEqual(expect.arrayContaining(['jwt.refresh-token.revoke', 'user.deactivate', 'user.reactivate']));
    expect(all.total).toBe(types.length);

    expect((await search({ eventType: 'user.deactivate' })).webhookEventLogs!.map((l) => l.linkedObjectId)).toEqual([
      K.richard.id,
    ]);
    expect((await search({ eventResult: 'Failed' })).total).toBe(0);
    expect((await search({ event: K.richard.id })).total).toBe(2);
    expect((await search({ start: Date.now() + 60_000 })).total).toBe(0);

    const insertInstants = (logs: WebhookEventLog[] = []) => logs.map((l) => l.insertInstant!);
    const newestFirst = insertInstants((await search({ numberOfResults: 100 })).webhookEventLogs);
    expect(newestFirst).toEqual([...newestFirst].sort((a, b) => b - a));
    const page = await search({ orderBy: 'sequence ASC', startRow: 1, numberOfResults: 1 });
    expect(page.total).toBe(all.total);
    expect(page.webhookEventLogs!.map((l) => l.sequence)).toEqual([all.webhookEventLogs![1]!.sequence]);
  });

  it('answers only with an API key, and 400 for an order it does not know', async () => {
    const anonymous = await fetch(`${idp.url}/api/system/webhook-event-log/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ search: {} }),
    });
    expect(anonymous.status).toBe(401);
    await expect(client.searchWebhookEventLogs({ search: { orderBy: 'password DESC' } })).rejects.toMatchObject({
      statusCode: 400,
    });
    const byGet = await fetch(`${idp.url}/api/system/webhook-event-log/search?eventType=user.deactivate&start=0`, {
      headers: { authorization: K.apiKey },
    });
    expect(((await byGet.json()) as { total: number }).total).toBe(1);
  });
});
