import { ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { SessionTokens } from '../session/session-tokens';
import { SessionAuth, SessionUser } from '../session/session-user';
import { LoginTokens } from '../fusionauth/login-result';
import { AccessTokenClaims, IdTokenClaims } from '../tokens/token-claims';
import { TokenVerifier } from '../tokens/token-verifier.service';
import { PendingLogin } from './pending-login';
import { TokenResponse } from './token-endpoint';

/** Everything a completed login puts into a new session. */
export interface LoginOutcome {
  readonly user: SessionUser;
  readonly auth: SessionAuth;
  readonly tokens: SessionTokens;
  readonly returnTo?: string;
}

/** A login the service refuses: 401, the reason logged, the page generic. */
export const loginRejected = (reason: string): AppError => new AppError('LOGIN_REJECTED', reason);

const CLOCK_TOLERANCE_S = 30;
const DEFAULT_TOKEN_LIFETIME_S = 300;

interface Context {
  readonly provider: ProviderConfig;
  readonly verifier: TokenVerifier;
  /** ms */
  readonly now: number;
}

interface Received {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly params: TokenResponse;
  readonly userinfoSub?: string;
  readonly login: PendingLogin;
}

/**
 * Checks what the token endpoint returned and turns it into a session: the ID token by `tokens/`
 * (signature, issuer, audience, azp, expiry, issue time, nonce), the authentication's age when one
 * was demanded, userinfo's subject, and for FusionAuth the access token (same subject) for roles.
 */
export async function outcomeFromTokens(ctx: Context, received: Received): Promise<LoginOutcome> {
  const { provider, verifier } = ctx;
  const claims = await verifier.verifyIdToken(provider, received.idToken, { nonce: received.login.nonce });
  const now = Math.floor(ctx.now / 1000);
  if (received.login.maxAge !== undefined) {
    // OpenID Connect Core 3.1.2.1: with max_age, auth_time is required and must be recent enough.
    if (typeof claims.auth_time !== 'number' || claims.auth_time < now - received.login.maxAge - CLOCK_TOLERANCE_S) {
      throw loginRejected('auth_time_too_old');
    }
  }
  // OpenID Connect Core 5.3.2: userinfo about another subject must not be used.
  if (received.userinfoSub !== undefined && received.userinfoSub !== claims.sub)
    throw loginRejected('userinfo_sub_mismatch');
  const access = await accessTokenFacts(ctx, received.accessToken, claims);
  const refreshTokenId = received.params.refresh_token_id ?? access.sid;
  return {
    user: {
      id: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      name: displayName(claims),
      roles: access.roles,
      provider: provider.name,
      applicationId: access.applicationId,
    },
    auth: {
      provider: provider.name,
      method: 'oidc',
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : now,
      accessTokenIat: access.iat ?? now,
      accessTokenExp: access.exp ?? now + (received.params.expires_in ?? DEFAULT_TOKEN_LIFETIME_S),
      refreshTokenId,
      idpSessionId: typeof claims.sid === 'string' ? claims.sid : undefined,
    },
    tokens: {
      accessToken: received.accessToken,
      accessTokenIat: access.iat ?? now,
      accessTokenExp: access.exp ?? now + (received.params.expires_in ?? DEFAULT_TOKEN_LIFETIME_S),
      refreshToken: received.refreshToken,
      refreshTokenId,
      idToken: received.idToken,
    },
    returnTo: received.login.returnTo,
  };
}

interface AccessFacts {
  readonly roles: readonly string[];
  readonly iat?: number;
  readonly exp?: number;
  readonly sid?: string;
  readonly applicationId?: string;
}

/**
 * FusionAuth's access token is a JWT for this client: verified like a bearer token, it must name the
 * same user, and it carries the roles. Other providers' access tokens may be opaque; their roles
 * come only from the verified ID token.
 */
async function accessTokenFacts(ctx: Context, accessToken: string, claims: IdTokenClaims): Promise<AccessFacts> {
  if (ctx.provider.kind !== 'fusionauth') {
    return { roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [] };
  }
  const verified = await ctx.verifier.verifyAccessToken(accessToken, { fromProvider: true });
  if (verified.provider.name !== ctx.provider.name || verified.claims.sub !== claims.sub) {
    throw loginRejected('access_token_subject_mismatch');
  }
  return {
    roles: verified.claims.roles,
    iat: verified.claims.iat,
    exp: verified.claims.exp,
    sid: verified.claims.sid,
    applicationId: verified.claims.applicationId,
  };
}

/** The session of a password login whose FusionAuth access token was verified (claims of this user). */
export function outcomeFromPasswordLogin(
  provider: ProviderConfig,
  claims: AccessTokenClaims,
  result: LoginTokens,
  nowS: number,
): LoginOutcome {
  const refreshTokenId = result.refreshTokenId ?? claims.sid;
  const { firstName, lastName, fullName } = result.user;
  return {
    user: {
      id: claims.sub,
      email: claims.email ?? result.user.email,
      name: fullName ?? displayName({ given_name: firstName, family_name: lastName }),
      roles: claims.roles,
      provider: provider.name,
      applicationId: claims.applicationId,
    },
    auth: {
      provider: provider.name,
      method: 'password',
      authTime: claims.auth_time ?? nowS,
      accessTokenIat: claims.iat,
      accessTokenExp: claims.exp,
      refreshTokenId,
    },
    tokens: {
      accessToken: result.token,
      accessTokenIat: claims.iat,
      accessTokenExp: claims.exp,
      refreshToken: result.refreshToken,
      refreshTokenId,
    },
  };
}

export function displayName(claims: {
  name?: unknown;
  given_name?: unknown;
  family_name?: unknown;
  email?: unknown;
}): string | undefined {
  if (typeof claims.name === 'string' && claims.name.trim()) return claims.name.trim();
  const parts = [claims.given_name, claims.family_name].filter(
    (p): p is string => typeof p === 'string' && p.trim() !== '',
  );
  return parts.length > 0 ? parts.join(' ') : undefined;
}
