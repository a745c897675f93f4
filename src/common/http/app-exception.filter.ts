import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, RateLimitedError, ValidationFailedError } from '../app.errors';
import { ERROR_CODES, ErrorCode, errorCodeForStatus } from '../error-codes';
import { RouteKinds } from './route-kinds.service';
import { safeReturnTo } from './safe-return-to';
import { PageHeaders } from './security-headers';

/** Codes of a refused bearer token: RFC 6750 3 asks for a `WWW-Authenticate` challenge with them. */
const BEARER_CHALLENGED: ReadonlySet<ErrorCode> = new Set(['LOGIN_REQUIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED']);

interface Classified {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly unexpected: boolean;
}

/**
 * The one exception filter: an error code becomes a status and either a JSON body (machine routes,
 * as they declare themselves) or the error page. Unknown errors become a generic 500 and a log line;
 * no stack trace, token or internal message ever reaches the client.
 */
@Catch()
@Injectable()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly kinds: RouteKinds,
    private readonly pageHeaders: PageHeaders,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { code, detail, unexpected } = classify(exception);
    const spec = ERROR_CODES[code];
    if (unexpected) {
      this.logger.error(`${req.method} ${req.path} failed: ${describe(exception)}`, (exception as Error)?.stack);
    } else if (detail) {
      this.logger.warn(`${req.method} ${req.path} rejected: ${code} (${detail})`);
    }
    if (res.headersSent) return;

    const json = this.kinds.of(req) === 'machine';
    // An error page is a page: the HTML-only security headers (browser routes have them already).
    if (!json) this.pageHeaders.apply(res);
    if (code === 'LOGIN_REQUIRED' && !json && (req.method === 'GET' || req.method === 'HEAD')) {
      res.redirect(302, loginLocation(req.originalUrl));
      return;
    }
    if (code === 'REAUTH_REQUIRED' && !json) {
      // A form posted after the login went stale cannot be replayed: come back to its page instead.
      const returnTo = exception instanceof AppError && exception.returnTo ? exception.returnTo : req.originalUrl;
      const location = loginLocation(returnTo);
      res.redirect(303, `${location}${location.includes('?') ? '&' : '?'}reauth=1`);
      return;
    }
    if (json && BEARER_CHALLENGED.has(code)) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    }
    if (exception instanceof RateLimitedError) res.setHeader('Retry-After', String(Math.max(1, exception.retryAfterS)));
    res.status(spec.status);
    if (json) {
      const fields = exception instanceof ValidationFailedError ? { fields: exception.fields } : {};
      res.json({ error: spec.error, message: spec.message, ...fields });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (exception instanceof ValidationFailedError && exception.form) return renderForm(res, exception);
    const retry = code.startsWith('LOGIN_') || code === 'PROVIDER_UNAVAILABLE' ? '/auth/login' : undefined;
    res.render('error', { title: spec.message, status: spec.status, error: spec.error, retry }, (err, html) => {
      if (err) res.type('text/plain').send(spec.message);
      else res.type('html').send(html);
    });
  }
}

/** class-validator's message for a field the DTO does not declare (forbidNonWhitelisted). */
const UNKNOWN_FIELD = /^property .+ should not exist$/;

/** The refused form on its page again: one message per field, and what the page may show back. */
function renderForm(res: Response, error: ValidationFailedError): void {
  const { view, model, echo } = error.form!;
  const errors: Record<string, string> = {};
  for (const [field, messages] of Object.entries(error.fields)) errors[field] = messages[0] ?? '';
  // A field the form does not have came from something other than this page's form.
  if (Object.values(errors).some((message) => UNKNOWN_FIELD.test(message)))
    errors._form ??= 'This form had fields it does not know. Reload the page and try again.';
  res.render(view, { ...model, errors, form: echo }, (err, html) => {
    if (err) res.type('text/plain').send(ERROR_CODES.BAD_REQUEST.message);
    else res.type('html').send(html);
  });
}

function classify(exception: unknown): Classified {
  if (exception instanceof AppError) {
    return { code: exception.code, detail: exception.detail, unexpected: exception.code === 'INTERNAL' };
  }
  if (exception instanceof HttpException) {
    return { code: errorCodeForStatus(exception.getStatus()), unexpected: exception.getStatus() >= 500 };
  }
  // Errors from Express middleware (body-parser, http-errors) carry their status.
  const status = (exception as { status?: unknown; statusCode?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { code: errorCodeForStatus(status), unexpected: false };
  }
  return { code: 'INTERNAL', unexpected: true };
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : typeof exception;
}

/** `/auth/login?returnTo=/account`: the path is kept readable, everything else encoded. */
export function loginLocation(originalUrl: string): string {
  const returnTo = safeReturnTo(originalUrl);
  if (!returnTo) return '/auth/login';
  return `/auth/login?returnTo=${encodeURIComponent(returnTo).replace(/%2F/g, '/')}`;
}
