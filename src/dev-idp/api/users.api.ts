import type { User, UserRegistration } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { signAccessToken } from '../tokens/access-tokens';
import { registrationEvent, userEvent } from '../webhooks/events';
import { ApiContext, pathParam, bodyOf, handle, merge, notFound, param, tenantFor } from './api-support';
import { checkRoles, createUser, register, revokeAndAnnounce } from './user-operations';

/** Users and registrations: create, read, update, deactivate, reactivate, delete. */
export function usersApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;
  const storedOr404 = (id: string | undefined) => {
    const stored = id ? state.users.get(id) : undefined;
    if (!stored) throw notFound();
    return stored;
  };

  // Combined create (`user` + `registration`), or a registration for an existing user.
  router.post(
    '/api/user/registration{/:userId}',
    handle(async (req) => {
      const body = req.body as {
        user?: User;
        registration?: UserRegistration;
        skipVerification?: boolean;
        skipRegistrationVerification?: boolean;
      };
      const registrationRequest = bodyOf<UserRegistration>(req, 'registration');
      // Creating a user is ambiguous once there are several tenants (apis/registrations, combined).
      const stored = body.user
        ? await createUser(ctx, body.user, param(pathParam(req, 'userId')), {
            tenantId: tenantFor(ctx, req, true),
            skipVerification: body.skipVerification,
          })
        : storedOr404(param(pathParam(req, 'userId')));
      const registration = register(ctx, stored.user, registrationRequest, body.skipRegistrationVerification === true);
      const application = state.applications.get(registration.applicationId!)!;
      const now = Math.floor(state.now() / 1000);
      const { token, expiresAt } = await signAccessToken(state, stored.user, application, {
        authenticationType: 'REGISTRATION',
        authTime: now,
      });
      const refresh = application.loginConfiguration?.generateRefreshTokens
        ? ctx.refreshTokens.issueForLogin(stored.user, application, now)
        : undefined;
      return {
        user: stored.user,
        registration,
        token,
        tokenExpirationInstant: expiresAt,
        ...(refresh ? { refreshToken: refresh.token, refreshTokenId: refresh.id } : {}),
      };
    }),
  );

  router.get(
    '/api/user/registration/:userId/:applicationId',
    handle((req) => {
      const registration = state.registration(
        storedOr404(pathParam(req, 'userId')).user,
        pathParam(req, 'applicationId'),
      );
      if (!registration) throw notFound();
      return { registration };
    }),
  );

  for (const method of ['put', 'patch'] as const) {
    router[method](
      '/api/user/registration/:userId{/:applicationId}',
      handle((req) => {
        const { user } = storedOr404(pathParam(req, 'userId'));
        const request = bodyOf<UserRegistration>(req, 'registration');
        const applicationId = param(pathParam(req, 'applicationId')) ?? request.applicationId ?? '';
        const original = state.registration(user, applicationId);
        if (!original) throw notFound();
        const updated = method === 'put' ? { ...original, ...request } : merge(original, request);
        const registration: UserRegistration = {
          ...updated,
          id: original.id,
          applicationId,
          roles: checkRoles(ctx, applicationId, updated.roles),
          lastUpdateInstant: state.now(),
        };
        user.registrations = user.registrations!.map((r) => (r.applicationId === applicationId ? registration : r));
        ctx.emit(
          registrationEvent('user.registration.update', user.tenantId!, user, registration, state.now(), original),
        );
        return { registration };
      }),
    );
  }

  router.delete(
    '/api/user/registration/:userId/:applicationId',
    handle((req) => {
      const { user } = storedOr404(pathParam(req, 'userId'));
      const registration = state.registration(user, pathParam(req, 'applicationId'));
      if (!registration) throw notFound();
      user.registrations = user.registrations!.filter((r) => r !== registration);
      revokeAndAnnounce(ctx, { userId: user.id, applicationId: registration.applicationId }, false);
      ctx.emit(registrationEvent('user.registration.delete', user.tenantId!, user, registration, state.now()));
      return undefined;
    }),
  );

  router.post(
    '/api/user{/:userId}',
    handle(async (req) => {
      const skipVerification = (req.body as { skipVerification?: boolean }).skipVerification;
      const options = { tenantId: tenantFor(ctx, req, true), skipVerification };
      return {
        user: (await createUser(ctx, bodyOf<User>(req, 'user'), param(pathParam(req, 'userId')), options)).user,
      };
    }),
  );

  router.get(
    '/api/user',
    handle((req) => {
      const email = param(req.query.email);
      const loginId = param(req.query.loginId) ?? param(req.query.username);
      if (!email && !loginId) throw notFound();
      // Emails and usernames are unique per tenant: with several tenants the header must name one.
      const tenantId = tenantFor(ctx, req, true);
      const stored = email ? state.userByEmail(email, tenantId) : state.userByLoginId(loginId!, tenantId);
      if (!stored) throw notFound();
      return { user: stored.user };
    }),
  );

  router.get(
    '/api/user/:userId',
    handle((req) => ({ user: storedOr404(pathParam(req, 'userId')).user })),
  );

  router.patch(
    '/api/user/:userId',
    handle((req) => {
      const stored = storedOr404(pathParam(req, 'userId'));
      const {
        password: _p,
        id: _id,
        registrations: _r,
        ...changes
      } = bodyOf<User>(req, 'user') as User & { password?: string };
      stored.user = { ...merge(stored.user, changes), lastUpdateInstant: state.now() };
      return { user: stored.user };
    }),
  );

  router.put(
    '/api/user/:userId',
    handle((req) => {
      const stored = storedOr404(pathParam(req, 'userId'));
      if (param(req.query.reactivate) === 'true') {
        stored.user = { ...stored.user, active: true, lastUpdateInstant: state.now() };
        ctx.emit(userEvent('user.reactivate', stored.user.tenantId!, stored.user, state.now()));
        return { user: stored.user };
      }
      const {
        password: _p,
        id: _id,
        registrations: _r,
        ...fields
      } = bodyOf<User>(req, 'user') as User & { password?: string };
      stored.user = { ...stored.user, ...fields, lastUpdateInstant: state.now() };
      return { user: stored.user };
    }),
  );

  // Without hardDelete the user is deactivated; either way their refresh tokens stop working.
  router.delete(
    '/api/user/:userId',
    handle((req) => {
      const stored = storedOr404(pathParam(req, 'userId'));
      const hard =
        param(req.query.hardDelete) === 'true' ||
        (req.body as { hardDelete?: boolean } | undefined)?.hardDelete === true;
      revokeAndAnnounce(ctx, { userId: stored.user.id }, false);
      if (hard) state.users.delete(stored.user.id!);
      else stored.user = { ...stored.user, active: false, lastUpdateInstant: state.now() };
      ctx.emit(userEvent(hard ? 'user.delete' : 'user.deactivate', stored.user.tenantId!, stored.user, state.now()));
      return undefined;
    }),
  );
}
