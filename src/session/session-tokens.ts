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

/**
 * The tokens of each session, and which sessions have ended. An ended session keeps a mark (for as
 * long as a session can live) so that no request still holding it can write it, or its tokens, back.
 */
export abstract class SessionTokenStore {
  abstract get(sessionId: string): Promise<SessionTokens | undefined>;
  abstract set(sessionId: string, tokens: SessionTokens, ttlS: number): Promise<void>;
  abstract delete(...sessionIds: string[]): Promise<void>;
  /** Marks the sessions ended (the mark first, then their tokens go). */
  abstract end(markTtlS: number, ...sessionIds: string[]): Promise<void>;
  abstract ended(sessionId: string): Promise<boolean>;
}
