/** What a session knows about its user; tokens live beside it, server side only. */
export interface SessionUser {
  readonly id: string;
  readonly email?: string;
  readonly name?: string;
  readonly roles: readonly string[];
  /** The configured provider the user signed in with. */
  readonly provider?: string;
  readonly applicationId?: string;
}

/** How the session was signed in; never a token (those are in the session's token record). */
export interface SessionAuth {
  readonly provider: string;
  readonly method: 'oidc' | 'password';
  /** When the user last authenticated at the provider (s). */
  readonly authTime: number;
  /** When the current access token was issued and expires (s); a refresh moves both. */
  readonly accessTokenIat: number;
  readonly accessTokenExp: number;
  /** FusionAuth's `sid`: the refresh token's id, which revocation events name. */
  readonly refreshTokenId?: string;
  /** The ID token's `sid` (the provider's SSO session), for front-channel logout. */
  readonly idpSessionId?: string;
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
    /** The browser that signed in, shown in the user's list of sessions. */
    client?: { readonly userAgent: string; readonly ip: string };
    auth?: SessionAuth;
    /** When the user signed in (ms); the absolute timeout counts from here. */
    createdAt?: number;
    /** Last request seen (ms, updated at most once per touch interval); the idle timeout counts from here. */
    lastSeenAt?: number;
  }
}
