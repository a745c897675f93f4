import FusionAuthClient, { Errors, LoginResponse } from '@fusionauth/typescript-client';
import { DevIdp } from '../src/dev-idp/dev-idp';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './support/dev-idp';
import { totpCode } from './support/password-login';

interface Failure {
  statusCode: number;
  exception?: Errors & LoginResponse;
}

async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    return error as Failure;
  }
  throw new Error('expected the call to fail');
}

const generalCodes = (f: Failure) => (f.exception?.generalErrors ?? []).map((e) => e.code);

/**
 * The dev IdP's Login API as FusionAuth documents it (apis/login, apis/two-factor, apis/users,
 * apis/authentication), through FusionAuth's own client: each status with its body, the flows they
 * lead to, and the second tenant's refusal of ambiguous calls.
 */
describe('the dev IdP Login API', () => {
  let idp: DevIdp;
  let client: FusionAuthClient;
  const app = K.applicationId;

  beforeEach(async () => {
    idp = await startDevIdp();
    client = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
  });
  afterEach(async () => idp.close());

  const login = (loginId: string, password = 'password') => client.login({ loginId, password, applicationId: app });
  const mailTo = (email: string) => idp.state.outbox.lastTo(email);

  describe('two-factor (242 and the Two Factor Login API)', () => {
    it('answers 242 with a twoFactorId and the methods without their secret, then 421, then 200 once', async () => {
      const res = await login(K.twoFactor.email);
      expect(res.statusCode).toBe(242);
      const { twoFactorId, methods, token } = res.response;
      expect(token).toBeUndefined();
      expect(methods).toEqual([
        expect.objectContaining({ method: 'authenticator', authenticator: expect.objectContaining({ timeStep: 30 }) }),
      ]);
      expect(methods![0]).not.toHaveProperty('secret');
      const anonymous = new FusionAuthClient(undefined as unknown as string, idp.url);
      expect(
        (await failure(anonymous.twoFactorLogin({ twoFactorId, code: '000000', applicationId: app }))).statusCode,
      ).toBe(421);
      const done = await anonymous.twoFactorLogin({ twoFactorId, code: totpCode(), applicationId: app });
      expect(done.statusCode).toBe(200);
      expect(done.response.token).toEqual(expect.any(String));
      expect(done.response.trustToken).toEqual(expect.any(String));
      expect(done.response.user?.id).toBe(K.twoFactor.id);
      // Used: the same twoFactorId is unknown now.
      expect(
        (await failure(anonymous.twoFactorLogin({ twoFactorId, code: totpCode(), applicationId: app }))).statusCode,
      ).toBe(404);
    });

    it('skips the second factor for the trust id a trustComputer login returned', async () => {
      const { twoFactorId } = (await login(K.twoFactor.email)).response;
      const trusted = await client.twoFactorLogin({
        twoFactorId,
        code: totpCode(),
        applicationId: app,
        trustComputer: true,
      });
      const { twoFactorTrustId } = trusted.response;
      expect(twoFactorTrustId).toEqual(expect.any(String));
      const again = await client.login({
        loginId: K.twoFactor.email,
        password: 'password',
        applicationId: app,
        twoFactorTrustId,
      });
      expect(again.statusCode).toBe(200);
    });
  });

  describe('required password change (203) and change password by changePasswordId', () => {
    it('answers 203 with a changePasswordId; the change returns a one-time password that signs in once', async () => {
      const res = await login(K.changePassword.email);
      expect(res.statusCode).toBe(203);
      expect(res.response).toEqual({ changePasswordId: expect.any(String), changePasswordReason: 'Administrative' });
      const anonymous = new FusionAuthClient(undefined as unknown as string, idp.url);
      const changed = await anonymous.changePassword(undefined as unknown as string, {
        changePasswordId: res.response.changePasswordId,
        password: 'dinesh-new-password',
      });
      const { oneTimePassword } = changed.response;
      expect(oneTimePassword).toEqual(expect.any(String));
      const otp = await client.login({ oneTimePassword, applicationId: app });
      expect([otp.statusCode, otp.response.user?.id]).toEqual([200, K.changePassword.id]);
      expect((await failure(client.login({ oneTimePassword, applicationId: app }))).statusCode).toBe(404);
      const reuse = anonymous.changePassword(undefined as unknown as string, {
        changePasswordId: res.response.changePasswordId,
        password: 'another-password',
      });
      expect((await failure(reuse)).statusCode).toBe(404);
      expect((await login(K.changePassword.email, 'dinesh-new-password')).statusCode).toBe(200);
    });

    it("changes a two-factor user's password only with a trust token bound to its challenge", async () => {
      const { changePasswordId } = (await client.forgotPassword({ loginId: K.twoFactor.email })).response;
      const change = (extra: object) =>
        client.changePassword(undefined as unknown as string, {
          changePasswordId,
          password: 'jared-new-password',
          ...extra,
        });
      expect(generalCodes(await failure(change({})))).toEqual(['[TrustTokenRequired]']);
      const started = await client.startTwoFactorLogin({ userId: K.twoFactor.id, trustChallenge: 'challenge-1' });
      const { trustToken } = (
        await client.twoFactorLogin({ twoFactorId: started.response.twoFactorId, code: totpCode() })
      ).response;
      expect(generalCodes(await failure(change({ trustToken, trustChallenge: 'another-challenge' })))).toEqual([
        '[TrustTokenRequired]',
      ]);
      expect((await change({ trustToken, trustChallenge: 'challenge-1' })).statusCode).toBe(200);
      expect((await login(K.twoFactor.email, 'jared-new-password')).statusCode).toBe(242);
    });

    it('refuses a breached password once the tenant checks for breaches', async () => {
      await client.patchTenant(K.tenantId, {
        tenant: { passwordValidationRules: { breachDetection: { enabled: true } } },
      });
      const { changePasswordId } = (await client.forgotPassword({ loginId: K.richard.email })).response;
      const breached = await failure(
        client.changePassword(undefined as unknown as string, { changePasswordId, password: 'password123' }),
      );
      expect(breached.statusCode).toBe(400);
      expect(breached.exception?.fieldErrors?.password?.[0]?.code).toBe('[breachedCommonPassword]password');
    });
  });

  describe('refusals with FusionAuth bodies', () => {
    it("answers 409 with the locking action's localized reason, and a wrong password with 404", async () => {
      const locked = await failure(login(K.locked.email));
      expect(locked.statusCode).toBe(409);
      expect(locked.exception?.actions).toEqual([
        expect.objectContaining({
          localizedName: 'Account locked',
          localizedReason: 'Too many failed login attempts.',
        }),
      ]);
      expect((await failure(login(K.locked.email, 'wrong'))).statusCode).toBe(404);
    });

    it('answers 423 for a deactivated user, whatever the password (as FusionAuth does)', async () => {
      await client.deactivateUser(K.richard.id);
      for (const password of ['password', 'wrong']) {
        const locked = await failure(login(K.richard.email, password));
        expect([locked.statusCode, locked.exception]).toEqual([423, undefined]);
      }
    });

    it('answers 410 for an expired user', async () => {
      await client.patchUser(K.richard.id, { user: { expiry: Date.now() - 1000 } });
      expect((await failure(login(K.richard.email))).statusCode).toBe(410);
    });

    it('answers 212 while the tenant gates an unverified email; the resent link verifies it', async () => {
      expect((await login(K.unverified.email)).statusCode).toBe(200);
      await client.patchTenant(K.tenantId, {
        tenant: { emailConfiguration: { verifyEmail: true, unverified: { behavior: 'Gated' as never } } },
      });
      const gated = await login(K.unverified.email);
      expect([gated.statusCode, gated.response.token, gated.response.user?.id]).toEqual([
        212,
        undefined,
        K.unverified.id,
      ]);
      expect((await login(K.richard.email)).statusCode).toBe(200);
      await client.resendEmailVerificationWithApplicationTemplate(app, K.unverified.email);
      const link = /(http\S+\/email\/verify\/\S+)/.exec(mailTo(K.unverified.email)!.text)![1]!;
      const path = new URL(link).pathname;
      expect((await fetch(`${idp.url}${path}`)).status).toBe(200);
      expect((await login(K.unverified.email)).statusCode).toBe(200);
    });

    it('answers 213 while the application gates an unverified registration', async () => {
      await client.patchApplication(app, {
        application: { verifyRegistration: true, unverified: { behavior: 'Gated' as never } },
      });
      const email = 'monica-213@example.com';
      await client.register(undefined as unknown as string, {
        user: { email, password: 'monica-password' },
        registration: { applicationId: app },
      });
      expect((await login(email, 'monica-password')).statusCode).toBe(213);
      await client.resendRegistrationVerification(email, app);
      expect(mailTo(email)?.text).toMatch(/\/registration\/verify\//);
    });
  });

  describe('forgot password', () => {
    it('mails a link with a changePasswordId (without an API key, no body), and 404 for an unknown address', async () => {
      const anonymous = new FusionAuthClient(undefined as unknown as string, idp.url, K.tenantId);
      const res = await anonymous.forgotPassword({ loginId: K.richard.email, applicationId: app });
      expect([res.statusCode, res.response]).toEqual([200, undefined]);
      const mail = mailTo(K.richard.email)!;
      expect(mail.subject).toBe('Choose a new password');
      const id = new URL(/(http\S+password-reset\S+)/.exec(mail.text)![1]!).searchParams.get('changePasswordId');
      expect(idp.state.flows.changePassword.has(id!)).toBe(true);
      expect((await failure(anonymous.forgotPassword({ loginId: 'nobody@example.com' }))).statusCode).toBe(404);
    });
  });

  describe('tenants (apis/authentication, making an API request using a tenant id)', () => {
    const noTenant = () => new FusionAuthClient(K.apiKey, idp.url);
    const tenantRequired = {
      generalErrors: [
        {
          code: '[TenantIdRequired]',
          message:
            'A Tenant Id is required to complete this request. To complete this request, you may assign a Tenant to your API key, or add the X-FusionAuth-TenantId HTTP request header with the Tenant Id.',
        },
      ],
    };

    it('refuses every loginId, email or new-user call without X-FusionAuth-TenantId as FusionAuth does', async () => {
      const refusals = await Promise.all([
        failure(noTenant().retrieveUserByEmail(K.richard.email)),
        failure(noTenant().forgotPassword({ loginId: K.richard.email })),
        failure(noTenant().changePasswordByIdentity({ loginId: K.richard.email, password: 'whatever-password' })),
        failure(noTenant().resendEmailVerification(K.richard.email)),
        failure(noTenant().login({ loginId: K.richard.email, password: 'password' })),
        failure(
          noTenant().register(undefined as unknown as string, {
            user: { email: 'x@example.com', password: 'password' },
            registration: { applicationId: app },
          }),
        ),
      ]);
      for (const refusal of refusals) expect([refusal.statusCode, refusal.exception]).toEqual([400, tenantRequired]);
    });

    it('serves calls a unique id scopes without the header, and each tenant its own user by email', async () => {
      expect(
        (await noTenant().login({ loginId: K.richard.email, password: 'password', applicationId: app })).statusCode,
      ).toBe(200);
      expect((await noTenant().retrieveUser(K.richard.id)).response.user?.email).toBe(K.richard.email);
      expect((await client.retrieveUserByEmail(K.richard.email)).response.user?.id).toBe(K.richard.id);
      const partner = new FusionAuthClient(K.apiKey, idp.url, K.partnerTenantId);
      expect((await partner.retrieveUserByEmail(K.richard.email)).response.user?.id).toBe(K.partnerRichard.id);
      // The application lives in the default tenant: through the partner tenant it does not exist.
      const elsewhere = await failure(
        partner.login({ loginId: K.richard.email, password: 'partner-password', applicationId: app }),
      );
      expect(elsewhere.statusCode).toBe(400);
    });
  });
});
