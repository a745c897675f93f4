/** A login begun at /auth/login and not yet completed, kept in the (pre-login) session. */
export interface PendingLogin {
  /** The configured provider this login went to: the callback trusts this, never the query. */
  readonly provider: string;
  readonly nonce?: string;
  readonly codeVerifier: string;
  readonly returnTo?: string;
  /** Set when the login asked for a fresh authentication (max_age), in seconds. */
  readonly maxAge?: number;
  readonly createdAt: number;
}

declare module 'express-session' {
  interface SessionData {
    /** Pending logins by state; a few may be open at once (several tabs). */
    oidcLogins?: Record<string, PendingLogin>;
  }
}
