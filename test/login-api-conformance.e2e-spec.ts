import type {
  ChangePasswordResponse,
  Errors,
  LoginRequest,
  LoginResponse,
  TwoFactorLoginRequest,
  VerifyEmailResponse,
  VerifyRegistrationResponse,
} from '@fusionauth/typescript-client';
import { csrfFrom } from './support/browser-login';
import { HttpClient } from './support/http-client';
import { readStep, stepPage, submitPasswordLogin, submitStep } from './support/password-login';
import { SCRIPTED, ScriptedFusionAuth } from './support/scripted-fusionauth';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The password form against FusionAuth's documented Login API answers (apis/login, response
 * codes), one test per status. FusionAuth cannot run here, so a scripted one answers with fixtures
 * typed as @fusionauth/typescript-client declares them: a fixture that drifts from the client's
 * interfaces fails `tsc`.
 */
describe('the password form against every Login API answer', () => {
  let fake: ScriptedFusionAuth;
  let app: TestApp;
  let browser: HttpClient;
  const credentials = { email: SCRIPTED.email, password: 'correct horse' };

  beforeEach(async () => {
    fake = await ScriptedFusionAuth.start();
    app = await startTestApp({ env: fake.env() });
    browser = new HttpClient(app.url);
  });
  afterEach(async () => {
    expect(fake.unexpected).toEqual([]);
    await app.close();
    await fake.close();
  });

  const user = { id: SCRIPTED.userId, email: SCRIPTED.email, firstName: 'Scripted', lastName: 'Person' };
  const signedIn = async (): Promise<LoginResponse> => ({
    token: await fake.accessToken(),
    refreshToken: 'scripted-refresh-token',
    refreshTokenId: 'scripted-refresh-token-id',
    user,
  });
  const body = (route: string, n = 0) => fake.callsTo(route)[n]?.body;
  const pageOf = async (res: Response) => ({ status: res.status, html: await res.text() });
  const expectSignedIn = async (res: Response) => {
    expect([res.status, res.headers.get('location')]).toEqual([302, '/account']);
    expect(await (await browser.get('/account')).text()).toContain('Scripted Person');
  };

  it('200: signs in, having sent the credentials, the application, the API key and the tenant', async () => {
    fake.on('POST /api/login', { status: 200, body: await signedIn() });
    await expectSignedIn(await submitPasswordLogin(browser, credentials));
    const [call] = fake.callsTo('POST /api/login');
    expect(call!.body).toMatchObject({
      loginId: SCRIPTED.email,
      password: credentials.password,
      applicationId: SCRIPTED.clientId,
    } satisfies LoginRequest);
    expect([call!.authorization, call!.tenantId]).toEqual([SCRIPTED.apiKey, SCRIPTED.tenantId]);
  });

  it('202: not registered for this application reads like any other refusal (401)', async () => {
    fake.on('POST /api/login', {
      status: 202,
      body: { token: await fake.accessToken(), user } satisfies LoginResponse,
    });
    const { status, html } = await pageOf(await submitPasswordLogin(browser, credentials));
    expect(status).toBe(401);
    expect(html).toContain('That email and password do not match an account.');
    expect((await browser.get('/account')).status).toBe(302);
  });

  it('203: a change-password step, by changePasswordId in the body, then signed in with the one-time password', async () => {
    const changePasswordId = 'XOgai4Ro68xfGiex0ngXiJ2bbhduM4Pm7h3lvF0xibQ';
    const required = { changePasswordId, changePasswordReason: 'Expired' } as LoginResponse;
    fake.on('POST /api/login', { status: 203, body: required }, { status: 200, body: await signedIn() });
    fake.on('POST /api/user/change-password', {
      status: 200,
      body: { oneTimePassword: 'otp-123' } satisfies ChangePasswordResponse,
    });
    const step = await stepPage(browser, await submitPasswordLogin(browser, credentials));
    expect(step.path).toBe('/auth/password-login/change-password');
    expect(step.html).toContain('Your password has expired');
    expect(step.html).not.toContain(changePasswordId);
    await expectSignedIn(
      await submitStep(browser, step, { password: 'a-brand-new-password', confirmPassword: 'a-brand-new-password' }),
    );
    const [change] = fake.callsTo('POST /api/user/change-password');
    expect(change!.body).toMatchObject({ changePasswordId, password: 'a-brand-new-password' });
    expect(change!.authorization).toBeUndefined();
    expect(body('POST /api/login', 1)).toMatchObject({ oneTimePassword: 'otp-123', applicationId: SCRIPTED.clientId });
  });

  it('212: a verify-email message whose button resends the verification email through FusionAuth', async () => {
    fake.on('POST /api/login', { status: 212, body: { user } satisfies LoginResponse });
    fake.on('PUT /api/user/verify-email', {
      status: 200,
      body: { verificationId: 'v-1' } satisfies VerifyEmailResponse,
    });
    const step = await stepPage(browser, await submitPasswordLogin(browser, credentials));
    expect(step.html).toContain('Your email address is not verified yet');
    const sent = await pageOf(await submitStep(browser, step, {}));
    expect([sent.status, sent.html.includes('We sent the verification email again')]).toEqual([200, true]);
    const [resend] = fake.callsTo('PUT /api/user/verify-email');
    expect([resend!.query.get('email'), resend!.query.get('applicationId')]).toEqual([
      SCRIPTED.email,
      SCRIPTED.clientId,
    ]);
  });

  it('213: a verify-registration message whose button resends the registration verification', async () => {
    fake.on('POST /api/login', { status: 213, body: { user } satisfies LoginResponse });
    fake.on('PUT /api/user/verify-registration', {
      status: 200,
      body: { verificationId: 'v-2' } satisfies VerifyRegistrationResponse,
    });
    const step = await stepPage(browser, await submitPasswordLogin(browser, credentials));
    expect(step.html).toContain('Your registration for this application is not verified yet');
    expect((await submitStep(browser, step, {})).status).toBe(200);
    const [resend] = fake.callsTo('PUT /api/user/verify-registration');
    expect([resend!.query.get('email'), resend!.query.get('applicationId')]).toEqual([
      SCRIPTED.email,
      SCRIPTED.clientId,
    ]);
  });

  it('242: a code step through the Two Factor Login API (421 for a wrong code), then signed in', async () => {
    const twoFactorId = 'YkQY5Gsyo4RlfmDciBGRmvfj3RmatUqrbjoIZ19fmw4';
    const challenge = { twoFactorId, methods: [{ id: 'KLRT', method: 'authenticator' }] } satisfies LoginResponse;
    fake.on('POST /api/login', { status: 242, body: challenge });
    fake.on('POST /api/two-factor/login', { status: 421 }, { status: 200, body: await signedIn() });
    const step = await stepPage(browser, await submitPasswordLogin(browser, credentials));
    expect(step.html).not.toContain(twoFactorId);
    const wrong = await pageOf(await submitStep(browser, step, { code: '000000' }));
    expect([wrong.status, wrong.html.includes('That code is not correct')]).toEqual([401, true]);
    await expectSignedIn(await submitStep(browser, await readStep(browser, step.path), { code: '123456' }));
    const calls = fake.callsTo('POST /api/two-factor/login');
    expect(calls.map((c) => c.body)).toEqual([
      expect.objectContaining({
        twoFactorId,
        code: '000000',
        applicationId: SCRIPTED.clientId,
      } satisfies TwoFactorLoginRequest),
      expect.objectContaining({ twoFactorId, code: '123456' }),
    ]);
    expect(calls.map((c) => [c.authorization, c.tenantId])).toEqual([
      [undefined, SCRIPTED.tenantId],
      [undefined, SCRIPTED.tenantId],
    ]);
  });

  it('404: the generic refusal, 401', async () => {
    fake.on('POST /api/login', { status: 404 });
    const { status, html } = await pageOf(await submitPasswordLogin(browser, credentials));
    expect([status, html.includes('That email and password do not match an account.')]).toEqual([401, true]);
  });

  it("409: its own message with the action's localized reason", async () => {
    const prevented = {
      actions: [
        {
          actionId: '00000000-0000-4000-8000-00000000a001',
          actionerUserId: '00000000-0000-4000-8000-00000000a002',
          expiry: Date.now() + 86_400_000,
          localizedName: 'Suspended',
          localizedReason: 'Payment overdue: contact billing.',
          name: 'Suspend',
          reason: 'Payment overdue',
          reasonCode: 'PO',
        },
      ],
    } satisfies LoginResponse;
    fake.on('POST /api/login', { status: 409, body: prevented });
    const { status, html } = await pageOf(await submitPasswordLogin(browser, credentials));
    expect(status).toBe(403);
    expect(html).toContain('Signing in to this account is blocked for now. Payment overdue: contact billing.');
  });

  it('410: its own message (account expired)', async () => {
    fake.on('POST /api/login', { status: 410 });
    const { status, html } = await pageOf(await submitPasswordLogin(browser, credentials));
    expect([status, html.includes('This account has expired.')]).toEqual([403, true]);
  });

  it('423: its own message (account locked)', async () => {
    fake.on('POST /api/login', { status: 423 });
    const { status, html } = await pageOf(await submitPasswordLogin(browser, credentials));
    expect([status, html.includes('This account is locked.')]).toEqual([403, true]);
  });

  it('400 [TenantIdRequired] is a configuration fault (503), never "wrong password"', async () => {
    const refused = {
      generalErrors: [{ code: '[TenantIdRequired]', message: 'A Tenant Id is required to complete this request.' }],
    } satisfies Errors;
    fake.on('POST /api/login', { status: 400, body: refused });
    const { status, html } = await pageOf(await submitPasswordLogin(browser, credentials));
    expect(status).toBe(503);
    expect(html).not.toContain('do not match');
  });

  it('400 [TenantIdRequired] on the change-password page is a fault (503), never "current password wrong"', async () => {
    const refused = {
      generalErrors: [{ code: '[TenantIdRequired]', message: 'A Tenant Id is required to complete this request.' }],
    } satisfies Errors;
    fake.on('POST /api/login', { status: 200, body: await signedIn() });
    fake.on('POST /api/user/change-password', { status: 400, body: refused });
    await expectSignedIn(await submitPasswordLogin(browser, credentials));
    const csrf = csrfFrom(await (await browser.get('/account/password')).text());
    const form = {
      _csrf: csrf,
      currentPassword: credentials.password,
      newPassword: 'n3w-password',
      confirmPassword: 'n3w-password',
    };
    const { status, html } = await pageOf(await browser.post('/account/password', form));
    expect(status).toBe(503);
    expect(html).not.toContain('current password is not correct');
    expect(fake.callsTo('POST /api/user/change-password')[0]!.tenantId).toBe(SCRIPTED.tenantId);
  });

  it('an undocumented answer (500) is an outage (503), never a refusal', async () => {
    fake.on('POST /api/login', { status: 500 });
    expect((await submitPasswordLogin(browser, credentials)).status).toBe(503);
  });
});
