import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { doubleCsrf, DoubleCsrfUtilities } from 'csrf-csrf';
import { csrfSync } from 'csrf-sync';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';

/** csrf-csrf binds a token to "the session"; before login there is none, the cookie is the binding. */
const PRE_LOGIN_IDENTIFIER = 'pre-login';
const SYNC_TOKEN_BYTES = 32;

function tokenFromRequest(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
  const fromHeader = req.headers['x-csrf-token'];
  return typeof fromBody === 'string' ? fromBody : typeof fromHeader === 'string' ? fromHeader : undefined;
}

/**
 * Every state-changing browser form carries `_csrf`, of one of two kinds, chosen by whether the
 * browser is signed in (never by the URL):
 * - signed in: a synchronizer token kept in the session (csrf-sync), so it is bound to that session
 *   and ends with it (account, logout, admin forms);
 * - not signed in: a signed double-submit token (csrf-csrf): the same random value in an HttpOnly,
 *   SameSite=Lax cookie (`__Host-` under https) and in the form, with an HMAC keyed from
 *   SESSION_SECRET. It needs no server-side state, so a visitor who only opens the login or
 *   registration form costs no session in the store; another site can neither read the cookie nor
 *   forge the HMAC for a value of its own.
 */
@Injectable()
export class CsrfService {
  // 256 random bits, as hex. csrf-sync's default is 1024: the token rides in the session, which
  // express-session serializes and hashes on every page, so its size costs every page.
  private readonly sync = csrfSync({ getTokenFromRequest: tokenFromRequest, size: SYNC_TOKEN_BYTES });
  private readonly doubleSubmit: DoubleCsrfUtilities;
  private readonly cookieName: string;

  constructor(config: AppConfig) {
    this.cookieName = config.session.cookieSecure ? '__Host-csrf' : 'csrf';
    // A key of its own, derived from the session secret: no HMAC made for CSRF is ever one for a cookie.
    const key = createHmac('sha256', config.session.secret).update('csrf-csrf pre-login token').digest('base64url');
    this.doubleSubmit = doubleCsrf({
      getSecret: () => key,
      getSessionIdentifier: () => PRE_LOGIN_IDENTIFIER,
      cookieName: this.cookieName,
      // Lax like the session cookie: a link from another site keeps the token a form in another tab holds,
      // and no cross-site POST carries it.
      cookieOptions: { httpOnly: true, sameSite: 'lax', secure: config.session.cookieSecure, path: '/' },
      getCsrfTokenFromRequest: tokenFromRequest,
    });
  }

  /** The token to put in this page's form; before login it also sets (or keeps) its cookie. */
  tokenFor(req: Request, res: Response): string {
    if (signedIn(req)) return this.sync.generateToken(req);
    this.readCookie(req);
    return this.doubleSubmit.generateCsrfToken(req, res);
  }

  isValid(req: Request): boolean {
    if (signedIn(req)) return this.sync.isRequestValid(req);
    this.readCookie(req);
    return this.doubleSubmit.validateRequest(req);
  }

  /** csrf-csrf reads `req.cookies`; only its own cookie is handed over, and only as a string. */
  private readCookie(req: Request): void {
    const header = req.headers.cookie;
    const value = header ? parseCookies(header)[this.cookieName] : undefined;
    req.cookies = value === undefined ? {} : { [this.cookieName]: value };
  }
}

const signedIn = (req: Request): boolean => req.session?.user !== undefined;
