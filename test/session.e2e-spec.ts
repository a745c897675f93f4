import { SessionModule } from '../src/session/session.module';
import { SessionService } from '../src/session/session.service';
import { FakeClock } from './support/fake-clock';
import { HttpClient } from './support/http-client';
import { freePort, RedisServerProcess } from './support/redis-server';
import { deleteKeys, newKeyPrefix, redisClient, startTestApp, TestApp } from './support/test-app';
import { TestSessionController } from './support/test-session.controller';

const withSessions = { controllers: [TestSessionController], imports: [SessionModule] };

async function login(client: HttpClient, id = 'user-1', extra: Record<string, string> = {}): Promise<Response> {
  const res = await client.postWithCsrf('/test/login', { id, email: `${id}@example.com`, roles: 'user', ...extra });
  expect(res.status).toBe(204);
  return res;
}

/** The session id inside the signed cookie value `s:<id>.<signature>`. */
const sessionIdOf = (cookie: string | undefined) =>
  decodeURIComponent(cookie ?? '')
    .replace(/^s:/, '')
    .split('.')[0];

describe('sessions', () => {
  let app: TestApp;
  afterEach(async () => app?.close());

  describe('the cookie', () => {
    it('over http: only a signed id, HttpOnly, SameSite=Lax, Path=/, not Secure, no expiry', async () => {
      app = await startTestApp(withSessions);
      const res = await new HttpClient(app.url).postWithCsrf('/test/login', {
        id: 'u1',
        email: 'secret-person@example.com',
      });
      const [cookie, ...others] = res.headers.getSetCookie();
      expect(others).toEqual([]);
      expect(cookie).toMatch(/^sid=s%3A[A-Za-z0-9_-]{32}\.[A-Za-z0-9%/+_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(cookie).not.toContain('secret-person');
    });

    it('over https behind a proxy: __Host- prefixed and Secure, without Domain', async () => {
      app = await startTestApp({ ...withSessions, env: { APP_URL: 'https://app.example.test', TRUST_PROXY: '1' } });
      const client = new HttpClient(app.url);
      const csrf = await client.get('/test/csrf', { 'x-forwarded-proto': 'https' });
      const { token } = (await csrf.json()) as { token: string };
      // The jar would not send a Secure cookie over http; this test stands in for the TLS proxy.
      const anonymous = csrf.headers.getSetCookie()[0]!.split(';')[0]!;
      const res = await fetch(`${app.url}/test/login`, {
        method: 'POST',
        headers: {
          'x-forwarded-proto': 'https',
          cookie: anonymous,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ id: 'u1', _csrf: token }).toString(),
      });
      const cookie = res.headers.getSetCookie()[0];
      expect(cookie).toMatch(/^__Host-sid=s%3A[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(cookie).not.toMatch(/Domain=/i);
    });

    it('refuses a cookie whose signature was tampered with, without an error', async () => {
      app = await startTestApp(withSessions);
      const client = new HttpClient(app.url);
      await login(client);
      const tampered = (await client.cookie('sid'))!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      const res = await fetch(`${app.url}/test/whoami`, { headers: { cookie: `sid=${tampered}` }, redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/auth/login?returnTo=/test/whoami');
    });
  });

  describe('in Redis', () => {
    it('keeps the session server side, under the prefix, with a TTL', async () => {
      app = await startTestApp(withSessions);
      const client = new HttpClient(app.url);
      await login(client, 'user-7');
      const id = sessionIdOf(await client.cookie('sid'));
      const redis = await redisClient();
      try {
        const stored = JSON.parse((await redis.get(`${app.keyPrefix}sess:${id}`))!) as { user: unknown };
        expect(stored.user).toMatchObject({ id: 'user-7', email: 'user-7@example.com', roles: ['user'] });
        const ttl = await redis.ttl(`${app.keyPrefix}sess:${id}`);
        expect(ttl).toBeGreaterThan(1790);
        expect(ttl).toBeLessThanOrEqual(1800);
        expect(await redis.sMembers(`${app.keyPrefix}user-sessions:user-7`)).toEqual([id]);
      } finally {
        redis.destroy();
      }
    });

    it('survives a restart of the service', async () => {
      const keyPrefix = newKeyPrefix();
      try {
        const first = await startTestApp({ ...withSessions, keyPrefix });
        const client = new HttpClient(first.url);
        await login(client, 'user-restart');
        const cookie = (await client.cookie('sid'))!;
        await first.close();

        app = await startTestApp({ ...withSessions, keyPrefix });
        const res = await fetch(`${app.url}/test/whoami`, { headers: { cookie: `sid=${cookie}` } });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ id: 'user-restart', via: 'session' });
      } finally {
        await deleteKeys(keyPrefix);
      }
    });
  });

  it('gives a new session id at login, and the id planted before it is gone', async () => {
    app = await startTestApp(withSessions);
    const client = new HttpClient(app.url);
    expect((await client.postWithCsrf('/test/anonymous')).status).toBe(204);
    const before = sessionIdOf(await client.cookie('sid'));
    expect(before).toBeTruthy();
    await login(client);
    const after = sessionIdOf(await client.cookie('sid'));
    expect(after).not.toBe(before);
    const redis = await redisClient();
    try {
      expect(await redis.exists(`${app.keyPrefix}sess:${before}`)).toBe(0);
      expect(await redis.exists(`${app.keyPrefix}sess:${after}`)).toBe(1);
    } finally {
      redis.destroy();
    }
  });

  it('deletes the session from the store and clears the cookie at logout', async () => {
    app = await startTestApp(withSessions);
    const client = new HttpClient(app.url);
    await login(client, 'leaving');
    const cookie = await client.cookie('sid');
    const id = sessionIdOf(cookie);
    const res = await client.postWithCsrf('/test/logout');
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie()[0]).toMatch(
      /^sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/,
    );
    const redis = await redisClient();
    try {
      expect(await redis.exists(`${app.keyPrefix}sess:${id}`)).toBe(0);
      expect(await redis.sMembers(`${app.keyPrefix}user-sessions:leaving`)).toEqual([]);
    } finally {
      redis.destroy();
    }
    // The old cookie, replayed, is worth nothing.
    const replay = await fetch(`${app.url}/test/whoami`, { headers: { cookie: `sid=${cookie}` }, redirect: 'manual' });
    expect(replay.status).toBe(302);
  });

  it('answers 503, never 200, while Redis is down, and recovers without a restart', async () => {
    const redisServer = await RedisServerProcess.start();
    try {
      app = await startTestApp({ ...withSessions, env: { REDIS_URL: redisServer.url } });
      const client = new HttpClient(app.url);
      await login(client, 'outage');
      await redisServer.stop();
      const during = await client.get('/test/whoami');
      expect(during.status).toBe(503);
      expect(await during.text()).toContain('temporarily unavailable');
      await redisServer.start();
      // The session itself was lost with that Redis (it keeps nothing on disk): the user logs in again.
      let after = await client.get('/test/whoami');
      for (let i = 0; i < 100 && after.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = await client.get('/test/whoami');
      }
      expect(after.status).toBe(302);
      await login(client, 'outage');
      expect((await client.get('/test/whoami')).status).toBe(200);
    } finally {
      await app?.close();
      await redisServer.stop();
    }
  });

  describe('timeouts, enforced on the server', () => {
    const env = { SESSION_IDLE_TIMEOUT_S: '600', SESSION_ABSOLUTE_TIMEOUT_S: '3600' };

    it('ends a session left idle for the idle timeout', async () => {
      const clock = new FakeClock();
      app = await startTestApp({ ...withSessions, env, clock });
      const client = new HttpClient(app.url);
      await login(client, 'idle-user');
      clock.advance(599_000);
      expect((await client.get('/test/whoami')).status).toBe(200);
      clock.advance(600_000);
      const res = await client.get('/test/whoami');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/auth/login?returnTo=/test/whoami');
      expect(await app.app.get(SessionService).sessionIdsOf('idle-user')).toEqual([]);
    });

    it('keeps an active session alive past the idle timeout', async () => {
      const clock = new FakeClock();
      app = await startTestApp({ ...withSessions, env, clock });
      const client = new HttpClient(app.url);
      await login(client);
      for (let i = 0; i < 4; i++) {
        clock.advance(300_000);
        expect((await client.get('/test/whoami')).status).toBe(200);
      }
    });

    it('ends even an active session at the absolute timeout', async () => {
      const clock = new FakeClock();
      app = await startTestApp({ ...withSessions, env, clock });
      const client = new HttpClient(app.url);
      await login(client, 'busy-user');
      for (let elapsed = 0; elapsed < 3_600_000 - 300_000; elapsed += 300_000) {
        clock.advance(300_000);
        expect((await client.get('/test/whoami')).status).toBe(200);
      }
      clock.advance(300_000);
      expect((await client.get('/test/whoami')).status).toBe(302);
      expect(await app.app.get(SessionService).sessionIdsOf('busy-user')).toEqual([]);
    });
  });

  it('ends every session of a user through the user-sessions index', async () => {
    app = await startTestApp(withSessions);
    const laptop = new HttpClient(app.url);
    const phone = new HttpClient(app.url);
    const someoneElse = new HttpClient(app.url);
    await login(laptop, 'many');
    await login(phone, 'many');
    await login(someoneElse, 'other');
    expect(await app.app.get(SessionService).sessionIdsOf('many')).toHaveLength(2);

    const res = await phone.postWithCsrf('/test/end-all');
    expect(await res.json()).toEqual({ ended: 2 });
    expect((await laptop.get('/test/whoami')).status).toBe(302);
    expect((await phone.get('/test/whoami')).status).toBe(302);
    expect((await someoneElse.get('/test/whoami')).status).toBe(200);
  });

  describe('without Redis in development', () => {
    it('falls back to the in-process store with one warning line, and sessions work', async () => {
      const closedPort = await freePort();
      app = await startTestApp({ ...withSessions, env: { REDIS_URL: `redis://127.0.0.1:${closedPort}` } });
      const warnings = app.logger.of('warn').filter((line) => line.includes('in-process'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`redis://127.0.0.1:${closedPort}`);
      const client = new HttpClient(app.url);
      await login(client, 'offline');
      expect(await (await client.get('/test/whoami')).json()).toMatchObject({ id: 'offline' });
      expect(await app.app.get(SessionService).sessionIdsOf('offline')).toHaveLength(1);
    });
  });
});
