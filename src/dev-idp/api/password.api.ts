import type { ChangePasswordRequest, ForgotPasswordRequest } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { StoredUser } from '../state/dev-idp-state';
import { sendTemplate } from '../state/mail-templates';
import { hashPassword, verifyPassword } from '../state/passwords';
import {
  ApiContext,
  ApiError,
  fieldError,
  generalError,
  handle,
  hasApiKey,
  notFound,
  param,
  pathParam,
  tenantFor,
} from './api-support';
import { checkPassword, revokeAndAnnounce } from './user-operations';

/** Passwords a breach database knows (a stand-in for FusionAuth Reactor's breached password detection). */
const BREACHED = new Set(['password', 'password1', 'password123', '12345678', '123456789', 'qwerty123', 'iloveyou1']);

/** Change a user's password (by `changePasswordId`, or by loginId with an API key) and Forgot Password (apis/users). */
export function passwordApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/user/change-password{/:changePasswordId}',
    handle(async (req) => {
      const body = (req.body ?? {}) as ChangePasswordRequest;
      // Since 1.33.0 the id belongs in the body; the URL segment still works (the body wins).
      const changePasswordId = param(body.changePasswordId) ?? param(pathParam(req, 'changePasswordId'));
      if (changePasswordId) return changeById(ctx, changePasswordId, body);
      if (!hasApiKey(ctx, req)) throw new ApiError(401);
      const loginId = param(body.loginId);
      if (!loginId)
        throw fieldError('loginId', 'blank', 'You must specify either the [changePasswordId] or [loginId].');
      const stored = state.userByLoginId(loginId, tenantFor(ctx, req, true));
      if (!stored) throw fieldError('loginId', 'invalid', 'The [loginId] is not a known user.');
      const password = checkNewPassword(ctx, stored, body.password);
      if (body.currentPassword !== undefined && !(await matches(stored, body.currentPassword))) {
        throw fieldError('currentPassword', 'invalid', 'The [currentPassword] is not correct.');
      }
      takeTrust(ctx, stored, body);
      await setPassword(ctx, stored, password);
      return undefined;
    }),
  );

  router.post(
    '/api/user/forgot-password',
    handle((req) => {
      const body = (req.body ?? {}) as ForgotPasswordRequest;
      const loginId = param(body.loginId) ?? param(body.email) ?? param(body.username);
      if (!loginId) throw fieldError('loginId', 'blank', 'You must specify the [loginId] property.');
      const tenantId = tenantFor(ctx, req, true);
      const stored = state.userByLoginId(loginId, tenantId);
      if (!stored) throw notFound();
      if (!stored.user.email) throw new ApiError(422);
      const application = param(body.applicationId) ? state.applications.get(body.applicationId!) : undefined;
      const tenant = state.tenants.get(tenantId);
      const templateId =
        application?.emailConfiguration?.forgotPasswordEmailTemplateId ??
        tenant?.emailConfiguration?.forgotPasswordEmailTemplateId;
      // apis/users, Start Forgot Password: 403 when the tenant has no forgot password template.
      if (!templateId || !state.emailTemplates.has(templateId)) throw new ApiError(403);
      const expiresAt = state.flows.expiry(tenant, 'changePasswordId');
      const changePasswordId = state.flows.issue(state.flows.changePassword, { userId: stored.user.id!, expiresAt });
      const send = body.sendForgotPasswordEmail !== false && body.sendForgotPasswordMessage !== false;
      if (send)
        sendTemplate(state, templateId, stored.user.email, {
          changePasswordId,
          user: stored.user,
          application,
          tenant,
        });
      return hasApiKey(ctx, req) ? { changePasswordId } : undefined;
    }),
  );
}

async function changeById(ctx: ApiContext, changePasswordId: string, body: ChangePasswordRequest) {
  const { state } = ctx;
  const entry = state.flows.peek(state.flows.changePassword, changePasswordId);
  const stored = entry ? state.users.get(entry.userId) : undefined;
  if (!entry || !stored) throw notFound();
  const password = checkNewPassword(ctx, stored, body.password);
  if (body.currentPassword !== undefined && !(await matches(stored, body.currentPassword))) throw notFound();
  takeTrust(ctx, stored, body);
  state.flows.take(state.flows.changePassword, changePasswordId);
  await setPassword(ctx, stored, password);
  const tenant = state.tenants.get(stored.user.tenantId!);
  // Using an id FusionAuth emailed proves the address: implicit email verification (on by default).
  if (tenant?.emailConfiguration?.implicitEmailVerificationAllowed !== false) stored.user.verified = true;
  const expiresAt = state.flows.expiry(tenant, 'oneTimePassword');
  return { oneTimePassword: state.flows.issue(state.flows.oneTimePasswords, { userId: stored.user.id!, expiresAt }) };
}

function checkNewPassword(ctx: ApiContext, stored: StoredUser, password: unknown): string {
  const checked = checkPassword('password', password);
  const breach = ctx.state.tenants.get(stored.user.tenantId!)?.passwordValidationRules?.breachDetection;
  if (breach?.enabled && BREACHED.has(checked.toLowerCase())) {
    throw fieldError(
      'password',
      'breachedCommonPassword',
      'The [password] property value has been breached and may not be used, please select a different password.',
    );
  }
  return checked;
}

/**
 * A two-factor user's password changes only with a trust token from a Two Factor Login, for this
 * user, with the challenge it was started with (lifecycle/.../multi-factor-authentication).
 */
function takeTrust(ctx: ApiContext, stored: StoredUser, body: ChangePasswordRequest): void {
  if ((stored.user.twoFactor?.methods ?? []).length === 0) return;
  const { flows } = ctx.state;
  const trust = flows.peek(flows.trustTokens, body.trustToken);
  const challengeOk = trust?.trustChallenge === undefined || trust.trustChallenge === body.trustChallenge;
  if (!trust || trust.userId !== stored.user.id || !challengeOk) {
    throw generalError(
      'TrustTokenRequired',
      'This request requires a Trust Token. Use the Start Two-Factor API to obtain one.',
    );
  }
  flows.take(flows.trustTokens, body.trustToken);
}

async function setPassword(ctx: ApiContext, stored: StoredUser, password: string): Promise<void> {
  const { state } = ctx;
  stored.passwordHash = await hashPassword(password);
  const now = state.now();
  stored.user = {
    ...stored.user,
    passwordChangeRequired: false,
    passwordLastUpdateInstant: now,
    lastUpdateInstant: now,
  };
  delete stored.user.passwordChangeReason;
  state.flows.forgetChangePasswordIdsOf(stored.user.id!);
  // The tenant's refreshTokenRevocationPolicy.onPasswordChanged (FusionAuth's default: true).
  const policy = state.tenants.get(stored.user.tenantId!)?.jwtConfiguration?.refreshTokenRevocationPolicy;
  if (policy?.onPasswordChanged !== false) revokeAndAnnounce(ctx, { userId: stored.user.id });
}

const matches = (stored: StoredUser, password: unknown): Promise<boolean> =>
  typeof password === 'string' ? verifyPassword(password, stored.passwordHash) : Promise.resolve(false);
