/**
 * A session's tokens. They are kept apart from the session itself so that a request holding an older
 * copy of the session can never write back tokens that a refresh has replaced.
 */
export interface SessionTokens {
  readonly accessToken: string;
  /** Seconds since the epoch. */
  readonly accessTokenExp: number;
  readonly accessTokenIat?: number;
  readonly refreshToken?: string;
  readonly refreshTokenId?: string;
  readonly idToken?: string;
}

export abstract class SessionTokenStore {
  abstract get(sessionId: string): Promise<SessionTokens | undefined>;
  abstract set(sessionId: string, tokens: SessionTokens, ttlS: number): Promise<void>;
  abstract delete(...sessionIds: string[]): Promise<void>;
}
