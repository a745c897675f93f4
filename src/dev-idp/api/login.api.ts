import type { Router } from 'express';
import { hashPassword, verifyPassword } from '../state/passwords';
import { signAccessToken } from '../tokens/access-tokens';
import { loginSuccessEvent } from '../webhooks/events';
import { ApiContext, fieldError, generalError, handle, notFound, param } from './api-support';
import { checkPassword, revokeAndAnnounce } from './user-operations';

/** The Login API and change password (with an API key and a loginId). */
export function loginApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/login',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as {
        loginId?: unknown;
        password?: unknown;
        applicationId?: unknown;
        noJWT?: unknown;
      };
      const applicationId = param(body.applicationId);
      const application = applicationId ? state.applications.get(applicationId) : undefined;
      if (!application)
        throw fieldError('applicationId', 'invalid', 'The [applicationId] is missing or does not exist.');
      const stored = typeof body.loginId === 'string' ? state.userByLoginId(body.loginId) : undefined;
      const ok =
        stored?.user.active !== false &&
        (await verifyPassword(typeof body.password === 'string' ? body.password : '', stored?.passwordHash));
      // Unknown user or wrong password: 404 with an empty body, the same either way.
      if (!stored || !ok) throw notFound();
      const { user } = stored;
      const now = state.now();
      const registration = state.registration(user, application.id!);
      user.lastLoginInstant = now;
      if (registration) registration.lastLoginInstant = now;
      ctx.emit(loginSuccessEvent(user.tenantId!, user, registration ? application.id : undefined, 'PASSWORD', now));
      const authTime = Math.floor(now / 1000);
      // Refresh tokens only for a registered user, when the application's Login API settings allow.
      const refresh =
        registration && application.loginConfiguration?.generateRefreshTokens
          ? ctx.refreshTokens.issueForLogin(user, application, authTime)
          : undefined;
      const { token, expiresAt } = await signAccessToken(state, user, application, {
        authenticationType: 'PASSWORD',
        sid: refresh?.id,
        authTime,
      });
      res.status(registration ? 200 : 202);
      return {
        ...(body.noJWT === true ? {} : { token, tokenExpirationInstant: expiresAt }),
        ...(refresh ? { refreshToken: refresh.token, refreshTokenId: refresh.id } : {}),
        user,
      };
    }),
  );

  router.post(
    '/api/user/change-password',
    handle(async (req) => {
      const body = (req.body ?? {}) as { loginId?: unknown; currentPassword?: unknown; password?: unknown };
      const loginId = param(body.loginId);
      if (!loginId) {
        throw generalError('invalid', 'The dev IdP changes passwords with an API key and a [loginId] only.');
      }
      const stored = state.userByLoginId(loginId);
      if (!stored) throw fieldError('loginId', 'invalid', 'The [loginId] is not a known user.');
      const password = checkPassword('password', body.password);
      if (
        body.currentPassword !== undefined &&
        !(typeof body.currentPassword === 'string' && (await verifyPassword(body.currentPassword, stored.passwordHash)))
      ) {
        throw fieldError('currentPassword', 'invalid', 'The [currentPassword] is not correct.');
      }
      stored.passwordHash = await hashPassword(password);
      stored.user = { ...stored.user, passwordLastUpdateInstant: state.now(), lastUpdateInstant: state.now() };
      // The tenant's refreshTokenRevocationPolicy.onPasswordChanged (FusionAuth's default: true).
      const policy = state.tenants.get(stored.user.tenantId!)?.jwtConfiguration?.refreshTokenRevocationPolicy;
      if (policy?.onPasswordChanged !== false) revokeAndAnnounce(ctx, { userId: stored.user.id });
      return undefined;
    }),
  );
}
