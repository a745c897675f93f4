import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session, { Store } from 'express-session';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { PageHeaders } from '../common/http/security-headers';
import { isSessionExpired, SessionTimeouts, touchIntervalMs } from './session-expiry';
import { SESSION_STORE, sessionTimeouts } from './session-store';
import { SessionService } from './session.service';
import { CsrfMiddleware } from './csrf.middleware';
import { IndexReadAheadStore } from './index-read-ahead.store';
import { SessionIndex } from './session-index';

/**
 * express-session for browser routes, followed by the server-side timeouts and the CSRF check. The session module binds
 * it to the routes that declare themselves browser routes only: machine routes carry no session and
 * never touch the store, however their URL is spelled.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  private readonly handler: RequestHandler;
  private readonly store: IndexReadAheadStore;
  private readonly timeouts: SessionTimeouts;
  private readonly touchIntervalMs: number;

  constructor(
    @Inject(SESSION_STORE) store: Store,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly pageHeaders: PageHeaders,
    private readonly csrf: CsrfMiddleware,
    config: AppConfig,
    index: SessionIndex,
  ) {
    this.store = new IndexReadAheadStore(store, index);
    this.timeouts = sessionTimeouts(config);
    this.touchIntervalMs = touchIntervalMs(this.timeouts);
    this.handler = session({
      store: this.store,
      name: config.session.cookieName,
      secret: config.session.secret,
      resave: false,
      saveUninitialized: false,
      unset: 'destroy',
      // `undefined` defers to Express's `trust proxy` (req.secure): X-Forwarded-Proto counts only from a
      // trusted hop. `true` here would believe it from anyone, whatever TRUST_PROXY says.
      proxy: config.trustProxy === false ? false : undefined,
      // No maxAge: a browser-session cookie. How long a session lives is decided here, on the server.
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.session.cookieSecure, path: '/' },
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    req.routeKind = 'browser';
    // Every browser route answers a page (or a redirect to one): its HTML-only security headers.
    this.pageHeaders.apply(res);
    this.store.readFor(req, () =>
      this.handler(req, res, (error?: unknown) => {
        if (error) return next(storeUnavailable(error));
        this.enforceTimeouts(req).then(
          // The CSRF check runs here rather than as a middleware of its own: one router layer per
          // browser route instead of two, which every request (an API call too) walks past.
          () => this.csrf.use(req, res, next),
          (err: unknown) => next(storeUnavailable(err)),
        );
      }),
    );
  }

  private async enforceTimeouts(req: Request): Promise<void> {
    const current = req.session;
    if (!current?.user) return;
    const now = this.clock.now();
    if (isSessionExpired(current, now, this.timeouts)) {
      await this.sessions.expire(req);
      return;
    }
    if (now - (current.lastSeenAt ?? 0) >= this.touchIntervalMs) current.lastSeenAt = now;
  }
}

/** The store could not be read or written: 503, so nothing is served on a session we cannot check. */
function storeUnavailable(error: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', `session store: ${error instanceof Error ? error.message : 'failed'}`);
}
