import type { Request, Response, Router } from 'express';
import { sendTemplate } from '../state/mail-templates';
import { ApiContext, fieldError, handle, hasApiKey, notFound, param, pathParam, tenantFor } from './api-support';

/**
 * Resend and complete email and registration verification (apis/users, apis/registrations), and the
 * hosted pages the verification emails link to (`/email/verify/{id}`, `/registration/verify/{id}`).
 */
export function verificationApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.put(
    '/api/user/verify-email',
    handle((req) => {
      const email = param(req.query.email);
      if (!email) throw fieldError('email', 'blank', 'You must specify the [email] parameter.');
      const tenantId = tenantFor(ctx, req, true);
      const stored = state.userByEmail(email, tenantId);
      if (!stored) throw notFound();
      const application = state.applications.get(param(req.query.applicationId) ?? '');
      const tenant = state.tenants.get(tenantId);
      const verificationId = state.flows.issue(state.flows.verifications, {
        userId: stored.user.id!,
        kind: 'email',
        expiresAt: state.flows.expiry(tenant, 'verification'),
      });
      const templateId =
        application?.emailConfiguration?.emailVerificationEmailTemplateId ??
        tenant?.emailConfiguration?.verificationEmailTemplateId;
      if (param(req.query.sendVerifyEmail) !== 'false') {
        sendTemplate(state, templateId, email, { verificationId, user: stored.user, application, tenant });
      }
      return hasApiKey(ctx, req) ? { verificationId } : undefined;
    }),
  );

  router.put(
    '/api/user/verify-registration',
    handle((req) => {
      const email = param(req.query.email);
      const application = state.applications.get(param(req.query.applicationId) ?? '');
      if (!application) throw fieldError('applicationId', 'invalid', 'The [applicationId] does not exist.');
      const stored = email ? state.userByEmail(email, application.tenantId ?? state.defaultTenantId) : undefined;
      if (!stored || !state.registration(stored.user, application.id!)) throw notFound();
      const tenant = state.tenants.get(stored.user.tenantId!);
      const verificationId = state.flows.issue(state.flows.verifications, {
        userId: stored.user.id!,
        kind: 'registration',
        applicationId: application.id,
        expiresAt: state.flows.expiry(tenant, 'verification'),
      });
      if (param(req.query.sendVerifyRegistrationEmail) !== 'false') {
        const values = { verificationId, user: stored.user, application, tenant };
        sendTemplate(state, application.verificationEmailTemplateId, stored.user.email!, values);
      }
      return hasApiKey(ctx, req) ? { verificationId } : undefined;
    }),
  );

  for (const kind of ['email', 'registration'] as const) {
    router.post(
      `/api/user/verify-${kind}{/:verificationId}`,
      handle((req) => {
        const id =
          param((req.body as { verificationId?: unknown } | undefined)?.verificationId) ??
          pathParam(req, 'verificationId');
        if (!verify(ctx, kind, id)) throw notFound();
        return undefined;
      }),
    );
    router.get(`/${kind}/verify/:verificationId`, (req: Request, res: Response) => {
      const ok = verify(ctx, kind, pathParam(req, 'verificationId'));
      res
        .status(ok ? 200 : 404)
        .set({ 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'" })
        .type('html')
        .send(
          ok
            ? `<p>Thank you. Your ${kind === 'email' ? 'email address' : 'registration'} is verified.</p>`
            : '<p>This link has expired.</p>',
        );
    });
  }
}

function verify(ctx: ApiContext, kind: 'email' | 'registration', verificationId: string): boolean {
  const { state } = ctx;
  const entry = state.flows.peek(state.flows.verifications, verificationId);
  const stored = entry?.kind === kind ? state.users.get(entry.userId) : undefined;
  if (!entry || !stored) return false;
  state.flows.take(state.flows.verifications, verificationId);
  const now = state.now();
  if (kind === 'email') stored.user = { ...stored.user, verified: true, verifiedInstant: now };
  const registration = entry.applicationId ? state.registration(stored.user, entry.applicationId) : undefined;
  if (kind === 'registration' && registration) {
    registration.verified = true;
    registration.verifiedInstant = now;
  }
  return true;
}
