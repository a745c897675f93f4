export interface ErrorSpec {
  readonly status: number;
  /** The short public code in JSON bodies (`{"error": ...}`). */
  readonly error: string;
  /** A message safe to show anyone: never a token, a secret or a stack. */
  readonly message: string;
}

/**
 * Every error the service answers with. Internal codes say why (they reach logs and metrics);
 * the public `error` says only what a client may know.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, error: 'invalid_request', message: 'The request is malformed.' },
  REAUTH_REQUIRED: { status: 401, error: 'login_required', message: 'Please sign in again to continue.' },
  LOGIN_REQUIRED: { status: 401, error: 'invalid_token', message: 'Authentication is required.' },
  LOGIN_MALFORMED: {
    status: 400,
    error: 'invalid_request',
    message: 'The sign-in response was malformed. Please start again.',
  },
  LOGIN_REJECTED: { status: 401, error: 'access_denied', message: 'We could not sign you in. Please try again.' },
  TOKEN_REVOKED: { status: 401, error: 'invalid_token', message: 'The token has been revoked.' },
  SIGNATURE_INVALID: { status: 401, error: 'invalid_signature', message: 'The signature is missing or invalid.' },
  LOGIN_DEACTIVATED: {
    status: 401,
    error: 'access_denied',
    message: 'This account is deactivated for this application. Contact an administrator.',
  },
  TOKEN_INVALID: { status: 401, error: 'invalid_token', message: 'The token is invalid, expired or revoked.' },
  FORBIDDEN: { status: 403, error: 'forbidden', message: 'You may not do this.' },
  CSRF_INVALID: {
    status: 403,
    error: 'invalid_csrf_token',
    message: 'This form has expired or did not come from this site. Go back, reload the page and try again.',
  },
  INSUFFICIENT_ROLE: { status: 403, error: 'insufficient_role', message: 'Your account lacks the role this needs.' },
  ACCOUNT_DEACTIVATED: { status: 403, error: 'account_deactivated', message: 'This account is deactivated.' },
  SELF_DEACTIVATION: {
    status: 403,
    error: 'cannot_deactivate_self',
    message: 'You cannot deactivate your own account. Ask another administrator.',
  },
  LAST_ADMIN: {
    status: 403,
    error: 'last_admin',
    message: 'Only an active administrator can deactivate an administrator, so that one always remains.',
  },
  NOT_FOUND: { status: 404, error: 'not_found', message: 'There is nothing here.' },
  METHOD_NOT_ALLOWED: { status: 405, error: 'method_not_allowed', message: 'This method is not allowed here.' },
  PAYLOAD_TOO_LARGE: { status: 413, error: 'payload_too_large', message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    error: 'unsupported_media_type',
    message: 'This content type is not accepted.',
  },
  TOO_MANY_REQUESTS: { status: 429, error: 'too_many_requests', message: 'Too many requests; try again later.' },
  INTERNAL: { status: 500, error: 'internal_error', message: 'Something went wrong on our side.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    error: 'temporarily_unavailable',
    message: 'The service is temporarily unavailable.',
  },
  PROVIDER_UNAVAILABLE: {
    status: 503,
    error: 'temporarily_unavailable',
    message: 'The identity provider cannot be reached right now. Please try again in a moment.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

const byStatus = new Map<number, ErrorCode>();
for (const [code, spec] of Object.entries(ERROR_CODES) as [ErrorCode, ErrorSpec][]) {
  if (!byStatus.has(spec.status)) byStatus.set(spec.status, code);
}

/** The generic code for an HTTP status raised outside our own code (a parser, the router). */
export function errorCodeForStatus(status: number): ErrorCode {
  return byStatus.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}
