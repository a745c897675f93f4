import { randomUUID } from 'node:crypto';
import type { Application, User } from '@fusionauth/typescript-client';
import { JWTPayload, SignJWT } from 'jose';
import { DevIdpState } from '../state/dev-idp-state';

export interface AccessTokenContext {
  readonly authenticationType: string;
  /** The refresh token's id, when one was issued alongside. */
  readonly sid?: string;
  readonly authTime: number;
  readonly scope?: string;
  /** Issued at the OAuth token endpoint (not by the Login API): the application's scopeHandlingPolicy applies. */
  readonly oauth?: boolean;
}

/**
 * FusionAuth's access-token claims beyond the registered ones: `applicationId` and `roles` only when
 * the user is registered for the application, `sid` = the refresh token's id, `tid` = the tenant.
 * `email`, `email_verified` and `preferred_username` only under the `Compatibility` scope handling
 * policy: with `Strict` (FusionAuth's default for new applications) an OAuth access token names the
 * user by `sub` alone.
 */
export function fusionAuthClaims(
  state: DevIdpState,
  user: User,
  application: Application,
  context: AccessTokenContext,
): JWTPayload {
  const registration = state.registration(user, application.id!);
  const policy = String(application.oauthConfiguration?.scopeHandlingPolicy ?? 'Strict');
  const identifying = context.oauth === true && policy === 'Strict' ? {} : identityClaims(user);
  return {
    authenticationType: context.authenticationType,
    ...identifying,
    ...(registration ? { applicationId: application.id, roles: registration.roles ?? [] } : {}),
    ...(context.scope ? { scope: context.scope } : {}),
    ...(context.sid ? { sid: context.sid } : {}),
    auth_time: context.authTime,
    tid: state.tenantOf(application).id,
  };
}

function identityClaims(user: User): JWTPayload {
  return {
    email: user.email,
    email_verified: user.verified ?? true,
    ...(user.username ? { preferred_username: user.username } : {}),
  };
}

/** An access token as the Login API and /api/jwt/refresh issue it, signed with the application's key. */
export async function signAccessToken(
  state: DevIdpState,
  user: User,
  application: Application,
  context: AccessTokenContext,
): Promise<{ token: string; expiresAt: number }> {
  const key = state.accessTokenKey(application);
  if (!key?.privateKey) throw new Error(`no signing key for application ${application.id}`);
  const iat = Math.floor(state.now() / 1000);
  const exp = iat + state.accessTokenTtlS(application);
  const token = await new SignJWT({ ...fusionAuthClaims(state, user, application, context) })
    .setProtectedHeader({ alg: key.algorithm, typ: 'JWT', kid: key.kid })
    .setAudience(application.id!)
    .setIssuer(state.issuerOf(application))
    .setSubject(user.id!)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { token, expiresAt: exp * 1000 };
}
