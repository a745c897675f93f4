import { randomInt } from 'node:crypto';
import type { TwoFactorStartRequest, TwoFactorStartResponse } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { ApiContext, fieldError, handle, notFound, param, tenantFor } from './api-support';

/** Start Multi-Factor (`POST /api/two-factor/start`, apis/two-factor): a step-up, e.g. for a trust token. */
export function twoFactorApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/two-factor/start',
    handle((req): TwoFactorStartResponse => {
      const body = (req.body ?? {}) as TwoFactorStartRequest;
      const userId = param(body.userId);
      const loginId = param(body.loginId);
      if (!userId && !loginId)
        throw fieldError('loginId', 'blank', 'You must specify either the [loginId] or [userId].');
      const applicationId = param(body.applicationId);
      const application = applicationId ? state.applications.get(applicationId) : undefined;
      if (applicationId && !application)
        throw fieldError('applicationId', 'invalid', 'The [applicationId] does not exist.');
      // userId is unique across tenants; a loginId needs the application's tenant or the header.
      const stored = userId
        ? state.users.get(userId)
        : state.userByLoginId(loginId!, application?.tenantId ?? tenantFor(ctx, req, true));
      if (!stored) throw notFound();
      const code = param(body.code) ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
      const tenant = state.tenants.get(stored.user.tenantId!);
      const twoFactorId = state.flows.issue(state.flows.twoFactor, {
        userId: stored.user.id!,
        applicationId,
        kind: 'step-up',
        trustChallenge: param(body.trustChallenge),
        code,
        expiresAt: state.flows.expiry(tenant, 'twoFactorId'),
      });
      const methods = (stored.user.twoFactor?.methods ?? []).map(({ secret: _secret, ...method }) => method);
      return { code, twoFactorId, ...(methods.length > 0 ? { methods } : {}) };
    }),
  );
}
