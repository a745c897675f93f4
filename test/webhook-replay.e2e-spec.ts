import { MetricsService } from '../src/common/observability/metrics.service';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { RedisServerProcess } from './support/redis-server';
import { Stack, startStack } from './support/stack';
import { newKeyPrefix, startTestApp, TestApp } from './support/test-app';

const REVOKING = ['user.deactivate', 'jwt.refresh-token.revoke'];

/**
 * issue 15, "Redis down for longer than FusionAuth's retries": revocations sent meanwhile get 503
 * from the service until the dev IdP gives up, and survive only in its Webhook Event Log. Once Redis
 * (a redis-server of the test's own, without persistence) answers again, every instance replays the
 * log: each event takes effect once, on the instances that lived through the outage and on a new one.
 */
describe('revocations lost to a Redis outage, replayed from the Webhook Event Log', () => {
  jest.setTimeout(40_000);
  const keyPrefix = newKeyPrefix();
  let redis: RedisServerProcess;
  let stack: Stack;
  let second: TestApp;
  const opened: TestApp[] = [];

  // Events older than 2 s are ignored as webhooks: the replayed ones are older, and must still apply.
  const env = () => ({ REDIS_URL: redis.url, SESSION_STORE: 'redis', WEBHOOK_MAX_AGE_S: '2' });
  const instance = async () => {
    const app = await startTestApp({
      keyPrefix,
      env: { APP_URL: stack.app.url, OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url, ...env() },
    });
    opened.push(app);
    return app;
  };

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    stack = await startStack({ env: env(), keyPrefix });
    second = await instance();
  });
  afterAll(async () => {
    for (const app of opened) await app.close();
    await stack?.close();
    await redis?.stop();
  });

  const me = async (app: TestApp, token: string) =>
    (await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  const login = async (user: { email: string; password: string }) =>
    (await stack.fusionAuth.login({ loginId: user.email, password: user.password, applicationId: K.applicationId }))
      .response.token!;
  async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function counter(app: TestApp, name: string): Promise<Record<string, number>> {
    const metric = await app.app.get(MetricsService).registry.getSingleMetric(name)!.get();
    return Object.fromEntries(metric.values.map(({ labels, value }) => [String(labels.outcome), value]));
  }
  /** Replayed events by type and outcome, summed over the instances. */
  async function replayed(apps: TestApp[]): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const app of apps) {
      const metric = await app.app
        .get(MetricsService)
        .registry.getSingleMetric('fusionauth_guard_webhook_replayed_events_total')!
        .get();
      for (const { labels, value } of metric.values) {
        if (!REVOKING.includes(String(labels.type))) continue;
        const key = `${String(labels.type)} ${String(labels.outcome)}`;
        counts[key] = (counts[key] ?? 0) + value;
      }
    }
    return counts;
  }

  it('rejects every token revoked during the outage once Redis is back, here and on a new instance, each event applied once', async () => {
    const richard = await login(K.richard);
    const admin = await login(K.admin);
    const both = [stack.app, second];
    for (const app of both) expect([await me(app, richard), await me(app, admin)]).toEqual([200, 200]);

    await redis.stop();
    for (const app of both) await until(async () => (await me(app, richard)) === 503, 'fail closed without Redis');
    const sentAt = Date.now();
    await stack.fusionAuth.deactivateUser(K.richard.id);
    await stack.fusionAuth.revokeRefreshTokensByUserId(K.admin.id);
    // The dev IdP retries, as FusionAuth does, then gives up: the outage outlasts its retries.
    await stack.idp.webhooks.settled();
    const { webhookEventLogs = [] } = (
      await stack.fusionAuth.searchWebhookEventLogs({ search: { start: sentAt - 1000, orderBy: 'insertInstant ASC' } })
    ).response;
    const lost = webhookEventLogs.filter((l) => REVOKING.includes(String(l.eventType)));
    expect(lost.map((l) => [l.eventType, l.eventResult, l.successfulAttempts, l.failedAttempts])).toEqual([
      ['user.deactivate', 'Succeeded', 0, 4],
      ['jwt.refresh-token.revoke', 'Succeeded', 0, 4],
    ]);
    // Older than WEBHOOK_MAX_AGE_S by the time they are replayed.
    await new Promise((r) => setTimeout(r, Math.max(0, sentAt + 2500 - Date.now())));

    await redis.start();
    for (const app of both) {
      await until(async () => (await me(app, richard)) === 401 && (await me(app, admin)) === 401, 'replayed');
      // Revoked here may come first from the other instance's replay: wait for this one's own.
      await until(
        async () => (await counter(app, 'fusionauth_guard_webhook_replays_total')).completed === 1,
        'replay done',
      );
    }
    // Both instances replayed the same window; the event id let each event through once.
    expect(await replayed(both)).toEqual({
      'user.deactivate applied': 1,
      'user.deactivate duplicate': 1,
      'jwt.refresh-token.revoke applied': 1,
      'jwt.refresh-token.revoke duplicate': 1,
    });
    for (const app of both)
      expect(await counter(app, 'fusionauth_guard_webhook_replays_total')).toEqual({ completed: 1 });

    const later = await instance();
    expect([await me(later, richard), await me(later, admin)]).toEqual([401, 401]);
    // Revoked up to the event's instant only: a token issued afterwards is accepted.
    const fresh = await login(K.admin);
    for (const app of [...both, later]) expect(await me(app, fresh)).toBe(200);
    expect(await counter(later, 'fusionauth_guard_webhook_replays_total')).toEqual({});
  });

  it('logs a failed search of the event log and tries again later, until FusionAuth answers', async () => {
    const admin = await login(K.admin);
    expect(await me(stack.app, admin)).toBe(200);
    await redis.stop();
    await until(async () => (await me(stack.app, admin)) === 503, 'fail closed without Redis');
    await stack.fusionAuth.revokeRefreshTokensByUserId(K.admin.id);
    await stack.idp.webhooks.settled();
    // FusionAuth refuses the API key for a while: the search answers 401.
    stack.idp.state.apiKeys.delete(K.apiKey);
    try {
      await redis.start();
      await until(
        async () => ((await counter(stack.app, 'fusionauth_guard_webhook_replays_total')).failed ?? 0) >= 1,
        'a failed replay',
      );
      expect(await me(stack.app, admin)).toBe(200);
    } finally {
      stack.idp.state.apiKeys.add(K.apiKey);
    }
    await until(async () => (await me(stack.app, admin)) === 401, 'replayed on a later try');
    await until(
      async () => (await counter(stack.app, 'fusionauth_guard_webhook_replays_total')).completed === 2,
      'its own replay, on a later try',
    );
  });

  it('replays an outage that was already under way when the instance started', async () => {
    const admin = await login(K.admin);
    await redis.stop();
    const late = await instance();
    await stack.fusionAuth.revokeRefreshTokensByUserId(K.admin.id);
    await stack.idp.webhooks.settled();
    await redis.start();
    await until(async () => (await me(late, admin)) === 401, 'revoked');
    // Its own replay, not only the other instances' announcements (its reconnect may come later).
    await until(
      async () => (await counter(late, 'fusionauth_guard_webhook_replays_total')).completed === 1,
      'its own replay',
    );
  });
});
