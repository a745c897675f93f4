import { ErrorCode } from './error-codes';

/** The one error type services throw; the exception filter maps its code to a status and a page or body. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** For logs only; never shown to the client. */
    readonly detail?: string,
    /** Where a browser should come back to after signing in again (REAUTH_REQUIRED). */
    readonly returnTo?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'AppError';
  }
}

/** Over a rate limit: 429 with `Retry-After` (seconds until the block ends). */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterS: number) {
    super('TOO_MANY_REQUESTS', `rate limited for ${retryAfterS} s`);
    this.name = 'RateLimitedError';
  }
}
