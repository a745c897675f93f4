import { randomUUID } from 'node:crypto';
import type { JWTRefreshEvent, User, UserRegistration } from '@fusionauth/typescript-client';

/** The event types the dev IdP emits, as FusionAuth names them. */
export type DevIdpEventType =
  | 'jwt.public-key.update'
  | 'jwt.refresh-token.revoke'
  | 'jwt.refresh'
  | 'user.deactivate'
  | 'user.reactivate'
  | 'user.delete'
  | 'user.registration.create'
  | 'user.registration.update'
  | 'user.registration.delete'
  | 'user.login.success';

export interface EventBody {
  readonly id: string;
  readonly createInstant: number;
  readonly type: DevIdpEventType;
  readonly tenantId: string;
  readonly [field: string]: unknown;
}

export interface RevokedRefreshToken {
  readonly id: string;
  readonly userId: string;
  readonly applicationId: string;
  readonly insertInstant: number;
  readonly startInstant: number;
}

const base = (type: DevIdpEventType, tenantId: string, now: number): EventBody => ({
  id: randomUUID(),
  createInstant: now,
  type,
  tenantId,
});

const info = () => ({ ipAddress: '127.0.0.1', userAgent: 'fusionauth-guard-dev-idp' });

/** A user as events carry it: the API view with its registrations, never a password. */
export function eventUser(user: User): User {
  const { password: _password, ...rest } = user as User & { password?: string };
  return { ...rest, twoFactor: rest.twoFactor ?? {}, twoFactorEnabled: false } as User;
}

export function userEvent(
  type: 'user.deactivate' | 'user.reactivate' | 'user.delete',
  tenantId: string,
  user: User,
  now: number,
): EventBody {
  return {
    ...base(type, tenantId, now),
    ...(type === 'user.reactivate' ? {} : { info: info() }),
    user: eventUser(user),
  };
}

export function registrationEvent(
  type: 'user.registration.create' | 'user.registration.update' | 'user.registration.delete',
  tenantId: string,
  user: User,
  registration: UserRegistration,
  now: number,
  original?: UserRegistration,
): EventBody {
  return {
    ...base(type, tenantId, now),
    applicationId: registration.applicationId,
    info: info(),
    ...(original ? { original } : {}),
    registration,
    user: eventUser(user),
  };
}

export function loginSuccessEvent(
  tenantId: string,
  user: User,
  applicationId: string | undefined,
  authenticationType: string,
  now: number,
): EventBody {
  return {
    ...base('user.login.success', tenantId, now),
    ...(applicationId ? { applicationId } : {}),
    authenticationType,
    connectorId: 'e3306678-a53a-4964-9040-1c96f36dda72',
    info: info(),
    user: eventUser(user),
  };
}

/**
 * `jwt.refresh-token.revoke` in FusionAuth's three shapes: all of a user's tokens (userId, no
 * applicationId), a user's tokens for one application or one token (userId and applicationId; one
 * token adds `refreshToken`), all of an application's tokens (applicationId, no user).
 */
export function refreshTokenRevokeEvent(options: {
  tenantId: string;
  now: number;
  ttlByApplication: Record<string, number>;
  user?: User;
  applicationId?: string;
  token?: RevokedRefreshToken;
}): EventBody {
  const { tenantId, now, ttlByApplication, user, applicationId, token } = options;
  return {
    ...base('jwt.refresh-token.revoke', tenantId, now),
    ...(applicationId ? { applicationId } : {}),
    applicationTimeToLiveInSeconds: ttlByApplication,
    ...(user ? { info: info(), userId: user.id, user: eventUser(user) } : {}),
    ...(token ? { refreshToken: { ...token, tenantId, metaData: { device: {}, scopes: ['offline_access'] } } } : {}),
  };
}

/**
 * `jwt.refresh`: an access token was issued for a refresh token (FusionAuth's Refresh a JWT API and
 * the OAuth refresh_token grant). `original` is the access token the client handed in, relayed as
 * given, and only when it handed one in; `refreshToken` is the refresh token it presented.
 */
export function jwtRefreshEvent(options: {
  tenantId: string;
  now: number;
  applicationId: string;
  userId: string;
  token: string;
  refreshToken: string;
  original?: string;
}): EventBody {
  const { tenantId, now, original, ...fields } = options;
  const event: Pick<JWTRefreshEvent, 'applicationId' | 'original' | 'refreshToken' | 'token' | 'userId'> = {
    ...fields,
    ...(original === undefined ? {} : { original }),
  };
  return { ...base('jwt.refresh', tenantId, now), ...event };
}

export function publicKeyUpdateEvent(tenantId: string, applicationIds: string[], now: number): EventBody {
  return { ...base('jwt.public-key.update', tenantId, now), applicationIds };
}
