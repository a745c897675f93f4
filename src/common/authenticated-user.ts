/**
 * Who is calling, however they proved it; what guards put on `req.user`. Read it, never change it:
 * a bearer token's user is one frozen object shared by every request that token makes.
 */
export interface AuthenticatedUser {
  readonly id: string;
  /**
   * The configured provider (its name) that vouches for this user: a `sub` is unique only within
   * its issuer, so the same id at two providers is two people.
   */
  readonly provider: string;
  readonly email?: string;
  readonly name?: string;
  /** The roles this application grants the user (a generic provider's only when trusted). */
  readonly roles: readonly string[];
  readonly via: 'session' | 'bearer';
  readonly applicationId?: string;
  /** When the bearer token (or the session's access token) expires, seconds since the epoch. */
  readonly tokenExpiresAt?: number;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends AuthenticatedUser {}
    interface Request {
      user?: User;
    }
  }
}
