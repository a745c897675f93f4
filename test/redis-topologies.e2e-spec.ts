import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { csrfFrom } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { freePort, RedisServerProcess } from './support/redis-server';
import { Stack, startStack } from './support/stack';
import { startTestApp, TestApp } from './support/test-app';
import { fixtureEvent, postWebhook } from './support/webhooks';

const CLUSTER_SLOTS = 16384;

/**
 * The same service on the two other forms of REDIS_URL, each against real redis-server processes the
 * test starts (never the machine's Redis): sessions, the denylist (and its announcements), rate
 * limits and locks all work, and a second instance sees a revocation.
 */
describe('Redis Cluster and Sentinel', () => {
  const servers: RedisServerProcess[] = [];
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fag-redis-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function startServer(options: Parameters<typeof RedisServerProcess.start>[1] = {}) {
    const server = await RedisServerProcess.start(await freePort(), options);
    servers.push(server);
    return server;
  }

  /** Three masters, the slots split between them, met and agreed. */
  async function startCluster(): Promise<RedisServerProcess[]> {
    const nodes = await Promise.all(
      [0, 1, 2].map((i) =>
        startServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${i}.conf`),
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      ),
    );
    const third = Math.floor(CLUSTER_SLOTS / 3);
    await Promise.all(
      nodes.map((node, i) =>
        withClient(node.url, (c) =>
          c.sendCommand([
            'CLUSTER',
            'ADDSLOTSRANGE',
            String(i * third),
            String(i === 2 ? CLUSTER_SLOTS - 1 : (i + 1) * third - 1),
          ]),
        ),
      ),
    );
    await withClient(nodes[0]!.url, async (c) => {
      for (const node of nodes.slice(1)) await c.sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(node.port)]);
    });
    for (const node of nodes) {
      await until(
        () =>
          withClient(node.url, (c) => c.sendCommand<string>(['CLUSTER', 'INFO'])).then((info) =>
            info.includes('cluster_state:ok'),
          ),
        15_000,
      );
    }
    return nodes;
  }

  async function startSentinel(): Promise<{ master: RedisServerProcess; sentinel: RedisServerProcess }> {
    const master = await startServer();
    const configFile = join(dir, 'sentinel.conf');
    writeFileSync(
      configFile,
      `sentinel monitor primary 127.0.0.1 ${master.port} 1\nsentinel down-after-milliseconds primary 2000\n`,
    );
    const sentinel = await startServer({ configFile, args: ['--sentinel'] });
    return { master, sentinel };
  }

  const cases: [string, string, () => Promise<string>][] = [
    [
      'a Redis Cluster (redis-cluster://)',
      'cluster',
      async () => {
        const nodes = await startCluster();
        return `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
      },
    ],
    [
      'Sentinel (redis-sentinel://)',
      'sentinel',
      async () => {
        const { sentinel } = await startSentinel();
        return `redis-sentinel://127.0.0.1:${sentinel.port}/primary`;
      },
    ],
  ];

  describe.each(cases)('on %s', (_name, mode, start) => {
    let stack: Stack;
    let second: TestApp;

    beforeAll(async () => {
      const redisUrl = await start();
      const env = { REDIS_URL: redisUrl, SESSION_STORE: 'redis' };
      stack = await startStack({ env });
      second = await startTestApp({
        keyPrefix: stack.app.keyPrefix,
        env: { ...env, APP_URL: stack.app.config.appUrl, OIDC_ISSUER: stack.idp.issuer, FUSIONAUTH_URL: stack.idp.url },
      });
    }, 60_000);
    afterAll(async () => {
      await second?.close();
      await stack?.close();
    });

    it('is ready, keeps sessions across instances, and spreads a revocation to both', async () => {
      // As a balancer would: polled until ready (on a busy machine the revocation state of a
      // Sentinel's primary may take longer than the bounded wait at start to load).
      const ready = await readyWithin(stack.app.url, 15_000);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ info: { redis: { status: 'up', mode } } });

      const browser = new HttpClient(stack.app.url);
      const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
      await browser.post('/auth/password-login', { _csrf: csrf, email: K.richard.email, password: K.richard.password });
      expect((await browser.get('/account')).status).toBe(200);
      const cookie = await browser.jar.getCookieString(stack.app.url);
      expect((await fetch(`${second.url}/account`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);

      const { response } = await stack.fusionAuth.login({
        loginId: K.richard.email,
        password: K.richard.password,
        applicationId: K.applicationId,
      });
      const bearer = { authorization: `Bearer ${response.token!}` };
      expect((await fetch(`${second.url}/api/me`, { headers: bearer })).status).toBe(200);

      const revoke = fixtureEvent('jwt.refresh-token.revoke.all-user.json', {
        userId: K.richard.id,
        user: { id: K.richard.id },
        createInstant: Date.now() + 1000,
      });
      const applied = await postWebhook(stack.app.url, revoke, { idp: stack.idp });
      expect(await applied.json()).toEqual({ status: 'applied' });
      const repeated = await postWebhook(second.url, revoke, { idp: stack.idp });
      expect(await repeated.json()).toEqual({ status: 'duplicate' });
      await until(async () => (await fetch(`${second.url}/api/me`, { headers: bearer })).status === 401, 1000);
      // The user's sessions ended, on whichever instance the browser comes back to.
      expect((await fetch(`${second.url}/account`, { headers: { cookie }, redirect: 'manual' })).status).toBe(302);
    });
  });
});

async function withClient<T>(url: string, use: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readyWithin(url: string, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ready = await fetch(`${url}/health/ready`);
    if (ready.status === 200 || Date.now() > deadline) return ready;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
