import { STALE_AFTER_MS } from '../src/denylist/denylist.service';
import { csrfFrom } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { RedisServerProcess } from './support/redis-server';
import { Stack, startStack } from './support/stack';
import { fixtureEvent, postWebhook } from './support/webhooks';

/**
 * Redis stopped in the middle (a redis-server of the test's own, never the shared one): protected
 * requests and the webhook answer 503, never 200; with Redis back, everything recovers by itself.
 */
describe('a Redis outage', () => {
  let redis: RedisServerProcess;
  let stack: Stack;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    stack = await startStack({ env: { REDIS_URL: redis.url, SESSION_STORE: 'redis' } });
  });
  afterAll(async () => {
    await stack.close();
    await redis.stop();
  });

  const me = (token: string) => fetch(`${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const webhook = () =>
    postWebhook(
      stack.app.url,
      fixtureEvent('jwt.refresh-token.revoke.all-user.json', { userId: 'nobody', user: { id: 'nobody' } }),
      {
        idp: stack.idp,
      },
    );

  const ready = () => fetch(`${stack.app.url}/health/ready`);
  /** Fails the test if an answer takes longer than a few seconds (a hang, not a slow answer). */
  const bounded = (pending: Promise<Response>) =>
    Promise.race([
      pending,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref()),
    ]);

  async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > timeoutMs) throw new Error('did not recover in time');
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - started;
  }

  it('answers 503 for protected requests and the webhook, then recovers without a restart', async () => {
    const { response } = await stack.fusionAuth.login({
      loginId: K.richard.email,
      password: K.richard.password,
      applicationId: K.applicationId,
    });
    const token = response.token!;
    const browser = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    await browser.post('/auth/password-login', { _csrf: csrf, email: K.richard.email, password: K.richard.password });
    expect((await browser.get('/account')).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    expect((await webhook()).status).toBe(200);

    expect((await ready()).status).toBe(200);

    await redis.stop();
    await new Promise((r) => setTimeout(r, STALE_AFTER_MS + 300));
    // Every answer comes within a bound: nothing waits on a Redis that is not there.
    const during = await Promise.all([me(token), browser.get('/account'), webhook()].map(bounded));
    expect(during.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(await during[0]!.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const readiness = await bounded(ready());
    expect(readiness.status).toBe(503);
    const body = (await readiness.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['denylist', 'redis']);
    // An unprotected route does not depend on Redis.
    expect((await fetch(`${stack.app.url}/health/live`)).status).toBe(200);

    await redis.start();
    const recovered = await until(async () => (await me(token)).status === 200, 10_000);
    expect(recovered).toBeLessThan(10_000);
    expect((await webhook()).status).toBe(200);
    await until(async () => (await ready()).status === 200, 5000);
    // That Redis kept nothing on disk: the session is gone, and the browser is asked to log in (not an error).
    const page = await browser.get('/account');
    expect(page.status).toBe(302);
    const relogin = new HttpClient(stack.app.url);
    const again = csrfFrom(await (await relogin.get('/auth/password-login')).text());
    await relogin.post('/auth/password-login', { _csrf: again, email: K.richard.email, password: K.richard.password });
    expect((await relogin.get('/account')).status).toBe(200);
  });
});
