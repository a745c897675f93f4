import { scrubUrl } from '../../src/common/observability/logging';
import { csrfFrom } from '../support/browser-login';
import { CaptureLogger } from '../support/capture-logger';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { readStep, stepPage, submitPasswordLogin, submitStep, totpCode } from '../support/password-login';
import { Stack, startStack } from '../support/stack';

/**
 * The password login's further steps against a hostile browser: FusionAuth's `twoFactorId` and
 * `changePasswordId` stay on the server, a step belongs to the browser that began it and is used
 * once, and every step is CSRF-checked and rate limited (ASVS 2.8, 3.5, 4.2.2; RFC 9700 4.7).
 */
describe('attacks on the password login steps', () => {
  let stack: Stack;
  let logger: CaptureLogger;
  beforeEach(async () => {
    logger = new CaptureLogger();
    stack = await startStack({ logger });
  });
  afterEach(async () => stack.close());

  const twoFactorCalls = () => stack.idp.state.apiCalls.filter((c) => c.path === '/api/two-factor/login').length;
  const pendingTwoFactorIds = () => [...stack.idp.state.flows.twoFactor.keys()];

  /** A browser that records every answer's Location and body. */
  function recordingBrowser(): { client: HttpClient; seen: string[] } {
    const client = new HttpClient(stack.app.url);
    const seen: string[] = [];
    const request = client.request.bind(client);
    client.request = async (path, options) => {
      seen.push(path);
      const res = await request(path, options);
      seen.push(res.headers.get('location') ?? '', await res.clone().text());
      return res;
    };
    return { client, seen };
  }

  it("keeps FusionAuth's twoFactorId out of every page, URL and log line", async () => {
    const { client, seen } = recordingBrowser();
    const step = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    const [twoFactorId] = pendingTwoFactorIds();
    expect(twoFactorId).toEqual(expect.any(String));
    await submitStep(client, step, { code: '000000' });
    await submitStep(client, await readStep(client, step.path), { code: totpCode() });
    expect((await client.get('/account')).status).toBe(200);
    expect(seen.length).toBeGreaterThan(6);
    expect(seen.filter((s) => s.includes(twoFactorId!))).toEqual([]);
    expect(logger.lines.filter((l) => l.message.includes(twoFactorId!))).toEqual([]);
  });

  it("keeps a reset link's changePasswordId out of the URL at once, and out of pages and log lines", async () => {
    const changePasswordId = (
      await stack.fusionAuth.forgotPassword({ loginId: K.richard.email, sendForgotPasswordEmail: false })
    ).response.changePasswordId!;
    const { client, seen } = recordingBrowser();
    const landed = await client.get(`/auth/password-reset?changePasswordId=${changePasswordId}`);
    expect([landed.status, landed.headers.get('location')]).toEqual([303, '/auth/password-login/change-password']);
    const step = await readStep(client, '/auth/password-login/change-password');
    await submitStep(client, step, { password: 'short', confirmPassword: 'short' });
    const again = await readStep(client, step.path);
    await submitStep(client, again, { password: 'richard-reset-password', confirmPassword: 'richard-reset-password' });
    expect((await client.get('/account')).status).toBe(200);
    // Only the first request (the mailed link itself) carried it; every later URL and page is clean.
    expect(seen.filter((s) => s.includes(changePasswordId)).length).toBe(1);
    expect(logger.lines.filter((l) => l.message.includes(changePasswordId))).toEqual([]);
    // And the request log line of that first request shows it redacted.
    expect(scrubUrl(`/auth/password-reset?changePasswordId=${changePasswordId}`)).toBe(
      '/auth/password-reset?changePasswordId=[REDACTED]',
    );
  });

  it('binds a step to the browser that began it: another browser with its handle changes nothing', async () => {
    const victim = new HttpClient(stack.app.url);
    const step = await stepPage(victim, await submitPasswordLogin(victim, K.twoFactor));
    const attacker = new HttpClient(stack.app.url);
    const attackerCsrf = csrfFrom(await (await attacker.get('/auth/password-login')).text());
    const before = twoFactorCalls();
    const forged = await attacker.post(step.path, { _csrf: attackerCsrf, step: step.handle, code: totpCode() });
    expect(forged.status).toBe(401);
    expect((await attacker.get('/account')).status).toBe(302);
    expect(twoFactorCalls()).toBe(before);
    // The victim's own step is untouched.
    expect((await submitStep(victim, step, { code: totpCode() })).status).toBe(302);
  });

  it("acts only on the step a form names: an older step's form (another tab) changes nothing", async () => {
    const client = new HttpClient(stack.app.url);
    const older = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    const newer = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    expect(newer.handle).not.toBe(older.handle);
    const stale = await submitStep(client, older, { code: totpCode() });
    expect(stale.status).toBe(401);
    expect((await client.get('/account')).status).toBe(302);
    expect(twoFactorCalls()).toBe(0);
  });

  it('uses a step once: replaying its form after the sign-in reaches nothing', async () => {
    const client = new HttpClient(stack.app.url);
    const step = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    const cookieBefore = await client.jar.getCookieString(stack.app.url);
    expect((await submitStep(client, step, { code: totpCode() })).status).toBe(302);
    const calls = twoFactorCalls();
    const replay = await fetch(`${stack.app.url}${step.path}`, {
      method: 'POST',
      headers: { cookie: cookieBefore, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: step.csrf, step: step.handle, code: totpCode() }).toString(),
      redirect: 'manual',
    });
    expect([401, 403]).toContain(replay.status);
    expect(twoFactorCalls()).toBe(calls);
  });

  it('ends a step after five wrong codes; the right code then signs nobody in', async () => {
    const client = new HttpClient(stack.app.url);
    const step = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    const statuses: number[] = [];
    // The page keeps its handle after a wrong code: the same form, submitted again and again.
    for (let i = 0; i < 5; i++) statuses.push((await submitStep(client, step, { code: '000000' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const last = await client.post(step.path, { _csrf: step.csrf, step: step.handle, code: totpCode() });
    expect(last.status).toBe(401);
    expect(await last.text()).toContain('Please log in again');
    expect((await client.get('/account')).status).toBe(302);
    expect(twoFactorCalls()).toBe(5);
  });

  it("refuses every step's POST without the session's CSRF token (403)", async () => {
    const client = new HttpClient(stack.app.url);
    const step = await stepPage(client, await submitPasswordLogin(client, K.twoFactor));
    for (const path of [
      '/auth/password-login/two-factor',
      '/auth/password-login/change-password',
      '/auth/password-login/verify',
      '/auth/forgot-password',
    ]) {
      const res = await client.post(path, { step: step.handle, code: totpCode(), email: K.richard.email });
      expect([path, res.status]).toEqual([path, 403]);
    }
    expect(twoFactorCalls()).toBe(0);
  });
});

describe('rate limits on the password login steps', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_LOGIN: '2/60' } });
  });
  afterAll(async () => stack.close());

  it('answers 429 with Retry-After on every step after 2 requests in 60 s, each route counted alone', async () => {
    const client = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await client.get('/auth/password-login')).text());
    const routes: [string, () => Promise<Response>][] = [
      [
        '/auth/password-login/two-factor',
        () => client.post('/auth/password-login/two-factor', { _csrf: csrf, code: '000000' }),
      ],
      [
        '/auth/password-login/change-password',
        () => client.post('/auth/password-login/change-password', { _csrf: csrf }),
      ],
      ['/auth/password-login/verify', () => client.post('/auth/password-login/verify', { _csrf: csrf })],
      [
        '/auth/forgot-password',
        () => client.post('/auth/forgot-password', { _csrf: csrf, email: 'nobody@example.com' }),
      ],
      ['/auth/password-reset', () => client.get('/auth/password-reset?changePasswordId=not-a-real-id')],
    ];
    for (const [path, call] of routes) {
      const answers = [await call(), await call(), await call()];
      expect([path, answers[2]!.status]).toEqual([path, 429]);
      expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answers.slice(0, 2).every((a) => a.status !== 429)).toBe(true);
    }
  });

  it('counts the change-password page (a two-factor code guess) too', async () => {
    const client = new HttpClient(stack.app.url);
    expect((await submitPasswordLogin(client, K.richard)).status).toBe(302);
    const post = async () =>
      client.post('/account/password', {
        _csrf: csrfFrom(await (await client.get('/account/password')).text()),
        currentPassword: 'wrong-password',
        newPassword: 'richard-new-password',
        confirmPassword: 'richard-new-password',
        code: '000000',
      });
    const answers = [await post(), await post(), await post()];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 429]);
  });
});
