import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import FusionAuthClient from '@fusionauth/typescript-client';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { csrfFrom } from './support/browser-login';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { freePorts } from './support/redis-server';
import { startService } from './support/service-process';
import { deleteKeys, newKeyPrefix } from './support/test-app';
import { fixtureEvent, postWebhook } from './support/webhooks';

const TRAFFIC_MS = 12_000;
/** Memory is compared from here on: a young process grows its heap to a working size first. */
const WARM_UP_MS = 3000;
const WORKERS = 12;
const USERS = 30;
const REVOKE_EVERY_MS = 400;
/** The contract: every instance sees a revocation within one second of the webhook's 200. */
const SPREAD_MS = 1000;

interface User {
  id: string;
  token: string;
  browser: HttpClient;
  /** When the revocation's 200 came back, and from which instance. */
  revoked?: { at: number; via: string };
}

const HEAP_PROBE = join(__dirname, 'support', 'heap-probe.js');

/** The heap still in use after a full collection (test/support/heap-probe.js answers SIGUSR2). */
async function liveHeap(service: { child: ChildProcess; output: () => string }): Promise<number> {
  const count = (service.output().match(/heap-probe \d+/g) ?? []).length;
  service.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const probes = service.output().match(/heap-probe (\d+)/g) ?? [];
    if (probes.length > count) return Number(probes.at(-1)!.split(' ')[1]);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the heap probe did not answer');
}

/**
 * A bounded load test against two compiled instances on one Redis (127.0.0.1 only, stops by itself):
 * bearer calls, session pages and unguarded calls from many workers while revocations arrive. No
 * revoked token or session is accepted by the instance that answered the webhook once its 200 has
 * come back, nor by the other one a second later; nothing answers 5xx; memory stays flat.
 */
describe('mixed load with revocations arriving', () => {
  let idp: DevIdp;
  const instances: Awaited<ReturnType<typeof startService>>[] = [];
  const urls: string[] = [];
  const keyPrefix = newKeyPrefix();

  beforeAll(async () => {
    // The IdP listens first, then both ports are picked together: a port picked and released before
    // the IdP's own was chosen could come back as the IdP's, and an instance would not start.
    idp = await startDevIdp();
    const ports = await freePorts(2);
    urls.push(...ports.map((p) => `http://127.0.0.1:${p}`));
    idp.setWebhookUrl(`${urls[0]}/webhooks/fusionauth`);
    const env = {
      NODE_ENV: 'development',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: keyPrefix,
      SESSION_STORE: 'redis',
      SESSION_SECRET: 'test-only-load-session-secret-0123456789abcdef',
      OIDC_ISSUER: idp.issuer,
      FUSIONAUTH_URL: idp.url,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_LOGIN: '100000/60',
      RATE_LIMIT_WEBHOOK: '100000/60',
      NODE_OPTIONS: `--expose-gc --require ${HEAP_PROBE}`,
    };
    for (const [i, port] of ports.entries()) {
      instances.push(await startService({ ...env, APP_URL: urls[i]! }, port));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((s) => s.stop()));
    await idp.close();
    await deleteKeys(keyPrefix);
  });

  async function newUser(fusionAuth: FusionAuthClient, n: number): Promise<User> {
    const email = `load-${n}-${randomUUID().slice(0, 6)}@example.com`;
    const password = `Load-Pa55-${randomUUID()}`;
    const { response } = await fusionAuth.register(undefined as unknown as string, {
      user: { email, password },
      registration: { applicationId: K.applicationId },
    });
    const login = await fusionAuth.login({ loginId: email, password, applicationId: K.applicationId });
    const browser = new HttpClient(urls[n % 2]!);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    await browser.post('/auth/password-login', { _csrf: csrf, email, password });
    return { id: response.user!.id!, token: login.response.token!, browser };
  }

  it('never accepts a revoked token or session, never answers 5xx, and keeps memory flat', async () => {
    const fusionAuth = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
    const users: User[] = [];
    for (let n = 0; n < USERS; n++) users.push(await newUser(fusionAuth, n));
    for (const user of users) expect((await user.browser.get('/account')).status).toBe(200);

    const failures: string[] = [];
    const counts = { requests: 0, accepted: 0, refused: 0, revocations: 0 };
    /** The instance `url` must refuse `user` for a request sent at `sentAt`. */
    const mustRefuse = (user: User, url: string, sentAt: number) =>
      user.revoked !== undefined &&
      (url === user.revoked.via ? sentAt > user.revoked.at : sentAt > user.revoked.at + SPREAD_MS);

    async function one(worker: number, i: number): Promise<void> {
      const user = users[(worker * 7 + i) % users.length]!;
      const url = urls[(worker + i) % 2]!;
      const kind = i % 3;
      const sentAt = Date.now();
      const res =
        kind === 0
          ? await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${user.token}` } })
          : kind === 1
            ? await fetch(`${url}/account`, {
                headers: { cookie: await user.browser.jar.getCookieString(urls[0]!) },
                redirect: 'manual',
              })
            : await fetch(`${url}/health/live`);
      await res.arrayBuffer();
      counts.requests++;
      if (res.status >= 500) failures.push(`${res.status} from ${url} (${['api', 'page', 'live'][kind]})`);
      if (kind === 2) return;
      const accepted = res.status === 200;
      if (accepted) counts.accepted++;
      else counts.refused++;
      if (accepted && mustRefuse(user, url, sentAt)) {
        failures.push(`revoked user ${user.id} accepted by ${url} ${sentAt - user.revoked!.at} ms after the 200`);
      }
    }

    let baseline: Promise<number[]> | undefined;
    const sampled = setTimeout(() => {
      baseline = Promise.all(instances.map(liveHeap));
    }, WARM_UP_MS);
    const stopAt = Date.now() + TRAFFIC_MS;
    const workers = Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; Date.now() < stopAt; i++) await one(worker, i);
    });
    const revoker = (async () => {
      for (let n = 0; Date.now() < stopAt - REVOKE_EVERY_MS && n < users.length - 5; n++) {
        await new Promise((r) => setTimeout(r, REVOKE_EVERY_MS));
        const user = users[n]!;
        const via = urls[n % 2]!;
        const event = fixtureEvent('jwt.refresh-token.revoke.all-user.json', {
          userId: user.id,
          user: { id: user.id },
          applicationTimeToLiveInSeconds: { [K.applicationId]: 3600 },
          createInstant: Date.now(),
        });
        const res = await postWebhook(via, event, { idp });
        if (res.status !== 200) failures.push(`webhook answered ${res.status}`);
        else user.revoked = { at: Date.now(), via };
        counts.revocations++;
      }
    })();
    await Promise.all([...workers, revoker]);
    clearTimeout(sampled);
    const before = await baseline!;
    const after = await Promise.all(instances.map(liveHeap));

    expect(failures).toEqual([]);
    // The run did what it says: traffic, revocations, and refusals because of them.
    expect(counts.requests).toBeGreaterThan(1000);
    expect(counts.revocations).toBeGreaterThanOrEqual(10);
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.accepted).toBeGreaterThan(0);
    for (const user of users.filter((u) => u.revoked)) {
      expect((await fetch(`${urls[0]}/api/me`, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(
        401,
      );
    }
    // Flat: after the warm-up, the live heap of neither instance grew by more than 8 MiB over
    // thousands of requests and dozens of revocations (a leak of a few KiB per request would show).
    expect(before).toHaveLength(2);
    for (const [i, heap] of after.entries()) expect(heap - before[i]!).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);
});
