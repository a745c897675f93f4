import type { LoginPreventedResponse, LoginResponse } from '@fusionauth/typescript-client';

export interface FusionAuthUser {
  readonly id?: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly fullName?: string;
}

/** A signed-in answer (200): the tokens, and from a Two Factor Login its trust values. */
export interface LoginTokens {
  readonly kind: 'ok';
  readonly token: string;
  readonly refreshToken?: string;
  readonly refreshTokenId?: string;
  readonly user: FusionAuthUser;
  /** Two Factor Login: satisfies a later `[TrustTokenRequired]` (a password change). */
  readonly trustToken?: string;
  /** Two Factor Login with `trustComputer`: lets the next Login API call skip the second factor. */
  readonly twoFactorTrustId?: string;
}

/** Why FusionAuth prevented the login (409): each action's localized reason, else its name. */
export interface PreventingAction {
  readonly name?: string;
  readonly reason?: string;
  readonly expiry?: number;
}

/**
 * Every documented answer of the Login API and the Two Factor Login API (apis/login, response
 * codes), each its own kind; anything else is an outage. Identifiers (`twoFactorId`,
 * `changePasswordId`) are FusionAuth's and stay on the server.
 */
export type LoginResult =
  | LoginTokens
  /** A step-up answered without a JWT: only its trust. */
  | { readonly kind: 'trusted'; readonly trustToken: string; readonly twoFactorTrustId?: string }
  | { readonly kind: 'not-registered'; readonly user: FusionAuthUser }
  | {
      readonly kind: 'change-password';
      readonly changePasswordId: string;
      readonly reason?: string;
      readonly trustToken?: string;
    }
  | { readonly kind: 'email-not-verified'; readonly user: FusionAuthUser }
  | { readonly kind: 'registration-not-verified'; readonly user: FusionAuthUser }
  | { readonly kind: 'two-factor'; readonly twoFactorId: string; readonly methods: readonly string[] }
  | { readonly kind: 'invalid-credentials' }
  | { readonly kind: 'prevented'; readonly actions: readonly PreventingAction[] }
  | { readonly kind: 'expired' }
  | { readonly kind: 'locked' }
  /** Two Factor Login only: 421, the code is wrong (the twoFactorId stays valid). */
  | { readonly kind: 'invalid-code' }
  /** Two Factor Login only: 404, the twoFactorId is unknown or expired: start again. */
  | { readonly kind: 'two-factor-expired' };

export type LoginKind = LoginResult['kind'];
export type LoginEndpoint = 'login' | 'two-factor';

/** A Login API (or Two Factor Login API) answer as a LoginResult; undefined for an undocumented one. */
export function loginResultOf(endpoint: LoginEndpoint, status: number, body: LoginResponse): LoginResult | undefined {
  const user = userOf(body);
  switch (status) {
    case 200:
      if (body.token) return tokensOf(body, user);
      return body.trustToken
        ? { kind: 'trusted', trustToken: body.trustToken, twoFactorTrustId: body.twoFactorTrustId }
        : undefined;
    case 202:
      return { kind: 'not-registered', user };
    case 203:
      return body.changePasswordId
        ? {
            kind: 'change-password',
            changePasswordId: body.changePasswordId,
            reason: body.changePasswordReason,
            trustToken: body.trustToken,
          }
        : undefined;
    case 212:
      return { kind: 'email-not-verified', user };
    case 213:
      return { kind: 'registration-not-verified', user };
    case 242:
      return body.twoFactorId
        ? {
            kind: 'two-factor',
            twoFactorId: body.twoFactorId,
            methods: (body.methods ?? []).map((m) => m.method ?? ''),
          }
        : undefined;
    case 404:
      return endpoint === 'login' ? { kind: 'invalid-credentials' } : { kind: 'two-factor-expired' };
    case 409:
      return { kind: 'prevented', actions: (body.actions ?? []).map(preventingAction) };
    case 410:
      return { kind: 'expired' };
    case 421:
      return endpoint === 'two-factor' ? { kind: 'invalid-code' } : undefined;
    case 423:
      return { kind: 'locked' };
    default:
      return undefined;
  }
}

function tokensOf(body: LoginResponse, user: FusionAuthUser): LoginTokens {
  return {
    kind: 'ok',
    token: body.token!,
    refreshToken: body.refreshToken,
    refreshTokenId: body.refreshTokenId,
    user,
    trustToken: body.trustToken,
    twoFactorTrustId: body.twoFactorTrustId,
  };
}

function userOf(body: LoginResponse): FusionAuthUser {
  const { id, email, firstName, lastName, fullName } = body.user ?? {};
  return { id, email, firstName, lastName, fullName };
}

function preventingAction(action: LoginPreventedResponse): PreventingAction {
  return {
    name: action.localizedName ?? action.name,
    reason: action.localizedReason ?? action.reason,
    expiry: action.expiry,
  };
}
