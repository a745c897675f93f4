import type { Application, LoginRequest, LoginResponse, TwoFactorLoginRequest } from '@fusionauth/typescript-client';
import type { Request, Response, Router } from 'express';
import {
  acceptsCode,
  afterPassword,
  afterSecondFactor,
  authenticate,
  Decision,
  issueTrustToken,
} from '../state/authentication';
import { StoredUser } from '../state/dev-idp-state';
import { signAccessToken } from '../tokens/access-tokens';
import { loginSuccessEvent } from '../webhooks/events';
import { ApiContext, ApiError, fieldError, handle, headerTenant, notFound, param, tenantFor } from './api-support';

/** The Login API (password or one-time password) and the Two Factor Login API (apis/login). */
export function loginApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/login',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as LoginRequest;
      const application = applicationOf(ctx, req, body.applicationId);
      if (body.oneTimePassword !== undefined) {
        const otp = state.flows.take(state.flows.oneTimePasswords, body.oneTimePassword);
        const stored = otp ? state.users.get(otp.userId) : undefined;
        if (!stored || stored.user.active === false) throw notFound();
        // Issued by a change password the user already proved (with a trust token if two-factor).
        const decision = afterPassword(state, stored, application, { trusted: true });
        return respond(ctx, res, decision, application, 'ONE_TIME_PASSWORD', body.noJWT === true);
      }
      const loginId = typeof body.loginId === 'string' ? body.loginId : '';
      const stored = state.userByLoginId(loginId, application.tenantId ?? state.defaultTenantId);
      const password = typeof body.password === 'string' ? body.password : '';
      const decision = await authenticate(state, stored, password, application, param(body.twoFactorTrustId));
      return respond(ctx, res, decision, application, 'PASSWORD', body.noJWT === true);
    }),
  );

  router.post(
    '/api/two-factor/login',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as TwoFactorLoginRequest;
      const pending = state.flows.peek(state.flows.twoFactor, body.twoFactorId);
      const stored = pending ? state.users.get(pending.userId) : undefined;
      // apis/login, Complete Multi-Factor: 404 for an unknown or expired twoFactorId, 421 for a wrong code.
      if (!pending || !stored || stored.user.active === false) throw notFound();
      if (typeof body.code !== 'string' || !acceptsCode(state, stored, body.code.trim(), pending.code)) {
        throw new ApiError(421);
      }
      state.flows.take(state.flows.twoFactor, body.twoFactorId);
      const trust = {
        trustToken: issueTrustToken(state, stored.user, pending.trustChallenge),
        ...(body.trustComputer === true ? { twoFactorTrustId: trustComputer(ctx, stored) } : {}),
      };
      const applicationId = pending.applicationId ?? param(body.applicationId);
      // A step-up proves the factor: its trust, the user, and for an application a JWT (no refresh token).
      if (pending.kind === 'step-up') {
        const token = applicationId ? await stepUpToken(ctx, stored, applicationOf(ctx, req, applicationId)) : {};
        return { ...token, ...trust, user: stored.user };
      }
      const application = applicationOf(ctx, req, applicationId);
      const decision = afterSecondFactor(state, stored, application, { secondFactor: true });
      return respond(ctx, res, decision, application, 'PASSWORD', body.noJWT === true, trust);
    }),
  );
}

/** The application a login is for; it must exist and belong to the header's tenant, when one is named. */
function applicationOf(ctx: ApiContext, req: Request, applicationId: unknown): Application {
  const id = param(applicationId);
  const application = id ? ctx.state.applications.get(id) : undefined;
  const tenant = headerTenant(req);
  if (!application || (tenant && application.tenantId !== tenant)) {
    // Without an application the login is ambiguous once there are several tenants.
    if (!id) tenantFor(ctx, req, true);
    throw fieldError('applicationId', 'invalid', 'The [applicationId] is missing or does not exist.');
  }
  return application;
}

/**
 * The answer for a decision: each documented status with FusionAuth's body. 200 and 202 issue an
 * access token (and a refresh token for a registered user when the application allows).
 */
async function respond(
  ctx: ApiContext,
  res: Response,
  decision: Decision,
  application: Application,
  authenticationType: string,
  noJWT: boolean,
  extra: Partial<LoginResponse> = {},
): Promise<LoginResponse | undefined> {
  switch (decision.status) {
    case 404:
    case 410:
    case 423:
      throw new ApiError(decision.status);
    case 409:
      throw new ApiError(409, { actions: decision.actions } satisfies LoginResponse);
    case 242:
      res.status(242);
      return { twoFactorId: decision.twoFactorId, methods: decision.methods };
    case 203:
      res.status(203);
      return {
        changePasswordId: decision.changePasswordId,
        changePasswordReason: decision.reason as LoginResponse['changePasswordReason'],
        ...(decision.trustToken ? { trustToken: decision.trustToken } : {}),
      };
    case 212:
    case 213:
      res.status(decision.status);
      return { user: decision.user };
    case 200:
    case 202:
      res.status(decision.status);
      return { ...(await signedIn(ctx, decision.stored, application, authenticationType, noJWT)), ...extra };
  }
}

async function signedIn(
  ctx: ApiContext,
  stored: StoredUser,
  application: Application,
  authenticationType: string,
  noJWT: boolean,
): Promise<LoginResponse> {
  const { state } = ctx;
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
    authenticationType,
    sid: refresh?.id,
    authTime,
  });
  return {
    ...(noJWT ? {} : { token, tokenExpirationInstant: expiresAt }),
    ...(refresh ? { refreshToken: refresh.token, refreshTokenId: refresh.id } : {}),
    user,
  };
}

async function stepUpToken(ctx: ApiContext, stored: StoredUser, application: Application): Promise<LoginResponse> {
  const authTime = Math.floor(ctx.state.now() / 1000);
  const { token, expiresAt } = await signAccessToken(ctx.state, stored.user, application, {
    authenticationType: 'PASSWORD',
    authTime,
  });
  return { token, tokenExpirationInstant: expiresAt };
}

/** `trustComputer`: a Multi-Factor Trust id that lets the next Login API call skip the second factor. */
function trustComputer(ctx: ApiContext, stored: StoredUser): string {
  const { state } = ctx;
  const tenant = state.tenants.get(stored.user.tenantId!);
  const expiresAt = state.flows.expiry(tenant, 'twoFactorTrust');
  return state.flows.issue(state.flows.twoFactorTrusts, { userId: stored.user.id!, expiresAt });
}
