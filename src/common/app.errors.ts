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

/** Field name (dotted for nested fields) → every message about it. */
export type FieldMessages = Readonly<Record<string, readonly string[]>>;

/** A page to show a refused form on again: its view, the model around it, the values it may show back. */
export interface RefusedForm {
  readonly view: string;
  readonly model: Readonly<Record<string, unknown>>;
  /** Only the fields the form's page declares echoable (never a password or a code). */
  readonly echo: Readonly<Record<string, string>>;
}

/**
 * Input that failed validation (a DTO through the ValidationPipe, or a service's own field rules):
 * 400 with `fields` in JSON on machine routes; on pages the form again, when the DTO names its page.
 */
export class ValidationFailedError extends AppError {
  constructor(
    readonly fields: FieldMessages,
    readonly form?: RefusedForm,
  ) {
    // Field names only: a refused value (perhaps a password) never reaches a log line.
    super('BAD_REQUEST', `invalid fields: ${Object.keys(fields).join(', ')}`);
    this.name = 'ValidationFailedError';
  }
}
