import { randomUUID } from 'node:crypto';
import type { User, UserRegistration } from '@fusionauth/typescript-client';
import { hashPassword } from '../state/passwords';
import { StoredUser } from '../state/dev-idp-state';
import { refreshTokenRevokeEvent, registrationEvent, RevokedRefreshToken } from '../webhooks/events';
import { ApiContext, fieldError } from './api-support';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** FusionAuth's default password rule. */
export const MIN_PASSWORD_LENGTH = 8;

export function checkPassword(field: string, password: unknown): string {
  if (typeof password !== 'string' || password === '')
    throw fieldError(field, 'blank', `You must specify the [${field}] property.`);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw fieldError(
      field,
      'tooShort',
      `The [${field}] property is shorter than the minimum of [${MIN_PASSWORD_LENGTH}] characters.`,
    );
  }
  return password;
}

/**
 * A new user in a tenant. As FusionAuth does, the email is verified only when the request says
 * `skipVerification`; `twoFactor.methods` (an authenticator's base64 secret), `passwordChangeRequired`
 * and `expiry` are kept as given.
 */
export async function createUser(
  ctx: ApiContext,
  request: User,
  id: string | undefined,
  options: { tenantId: string; skipVerification?: boolean },
): Promise<StoredUser> {
  const { state } = ctx;
  const email = typeof request.email === 'string' ? request.email.trim() : '';
  if (!email && !request.username) {
    throw fieldError('user.email', 'blank', 'You must specify either the [user.email] or [user.username] property.');
  }
  if (email && !EMAIL.test(email))
    throw fieldError('user.email', 'notEmail', 'The [user.email] property is not a valid email address.');
  if (email && state.userByEmail(email, options.tenantId)) {
    throw fieldError('user.email', 'duplicate', `A User with email = [${email}] already exists.`);
  }
  const password = checkPassword('user.password', request.password);
  const userId = id ?? request.id ?? randomUUID();
  if (state.users.has(userId)) throw fieldError('user.id', 'duplicate', `A User with Id [${userId}] already exists.`);
  const now = state.now();
  const { password: _password, ...fields } = request as User & { password?: string };
  const methods = (request.twoFactor?.methods ?? []).map((m) => ({ ...m, id: m.id ?? randomUUID().slice(0, 4) }));
  if (methods.some((m) => m.method === 'authenticator' && !m.secret)) {
    throw fieldError('user.twoFactor.methods', 'blank', 'An [authenticator] method needs its [secret].');
  }
  const user: User = {
    ...fields,
    id: userId,
    email: email || undefined,
    active: true,
    verified: options.skipVerification === true,
    tenantId: options.tenantId,
    insertInstant: now,
    lastUpdateInstant: now,
    passwordChangeRequired: request.passwordChangeRequired === true,
    passwordLastUpdateInstant: now,
    usernameStatus: 'ACTIVE' as User['usernameStatus'],
    twoFactor: methods.length > 0 ? { methods } : {},
    registrations: [],
  };
  const stored = { user, passwordHash: await hashPassword(password) };
  state.users.set(userId, stored);
  return stored;
}

export function register(
  ctx: ApiContext,
  user: User,
  request: UserRegistration,
  skipVerification = false,
): UserRegistration {
  const { state } = ctx;
  const applicationId = request.applicationId ?? '';
  const application = state.applications.get(applicationId);
  // An application of another tenant does not exist for this user.
  if (!application || (application.tenantId ?? state.defaultTenantId) !== user.tenantId)
    throw fieldError('registration.applicationId', 'invalid', 'The [registration.applicationId] does not exist.');
  if (state.registration(user, applicationId)) {
    throw fieldError('registration.applicationId', 'duplicate', 'The user is already registered for this application.');
  }
  const registration: UserRegistration = {
    ...request,
    id: randomUUID(),
    applicationId,
    roles: checkRoles(ctx, applicationId, request.roles),
    insertInstant: state.now(),
    lastUpdateInstant: state.now(),
    usernameStatus: 'ACTIVE' as UserRegistration['usernameStatus'],
    // Verified unless the application verifies registrations and the request did not skip it.
    verified: skipVerification || application.verifyRegistration !== true,
  };
  user.registrations = [...(user.registrations ?? []), registration];
  ctx.emit(registrationEvent('user.registration.create', user.tenantId, user, registration, state.now()));
  return registration;
}

/** Role names must exist on the application; none given means the application's default roles. */
export function checkRoles(ctx: ApiContext, applicationId: string, roles: readonly string[] | undefined): string[] {
  const defined = ctx.state.applications.get(applicationId)?.roles ?? [];
  if (!roles || roles.length === 0) return defined.filter((r) => r.isDefault).map((r) => r.name!);
  const unknown = roles.filter((name) => !defined.some((r) => r.name === name));
  if (unknown.length > 0)
    throw fieldError('registration.roles', 'invalid', `The role(s) [${unknown.join(', ')}] do not exist.`);
  return [...new Set(roles)];
}

/** Revokes refresh tokens and announces it as FusionAuth would (only when something was revoked). */
export function revokeAndAnnounce(
  ctx: ApiContext,
  filter: { userId?: string; applicationId?: string; id?: string; token?: string },
  announce = true,
): RevokedRefreshToken[] {
  const { state } = ctx;
  const revoked = ctx.refreshTokens.revoke(filter);
  if (!announce || revoked.length === 0) return revoked;
  const single = filter.id !== undefined || filter.token !== undefined;
  const first = revoked[0]!;
  const userId = filter.userId ?? (single ? first.userId : undefined);
  const user = userId ? state.users.get(userId)?.user : undefined;
  const applicationId = filter.applicationId ?? (single ? first.applicationId : undefined);
  const appIds = new Set([
    ...revoked.map((r) => r.applicationId),
    ...(user?.registrations ?? []).map((r) => r.applicationId!),
  ]);
  if (applicationId) {
    appIds.clear();
    appIds.add(applicationId);
  }
  const ttlByApplication = Object.fromEntries(
    [...appIds].flatMap((id) => {
      const app = state.applications.get(id);
      return app ? [[id, state.accessTokenTtlS(app)]] : [];
    }),
  );
  const tenantId = user?.tenantId ?? state.defaultTenantId;
  ctx.emit(
    refreshTokenRevokeEvent({
      tenantId,
      now: state.now(),
      ttlByApplication,
      user,
      applicationId,
      token: single ? first : undefined,
    }),
  );
  return revoked;
}
