import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CsrfService } from './csrf.service';
import { takeFlash } from './flash';

/**
 * What every page's view may use, in `res.locals`: `csrfToken` for its forms, `currentUser` (the
 * signed-in user, for the header) and `flash` (a message kept across a redirect). The token and
 * the flash are functions Handlebars calls only where a view uses them, so a redirect, a JSON
 * answer or a page without a form sets no CSRF cookie and stores nothing in the session.
 */
@Injectable()
export class PageLocalsMiddleware implements NestMiddleware {
  constructor(private readonly csrf: CsrfService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    let token: { value?: string } | undefined;
    let flash: { message?: string } | undefined;
    res.locals.csrfToken = () => (token ??= { value: this.tokenFor(req, res) }).value;
    res.locals.flash = () => (flash ??= { message: takeFlash(req.session) }).message;
    Object.defineProperty(res.locals, 'currentUser', { enumerable: true, get: () => req.session?.user });
    next();
  }

  /** A page is still shown (an error page, say) when no token can be had for it, as after a logout. */
  private tokenFor(req: Request, res: Response): string | undefined {
    if (res.headersSent) return undefined;
    try {
      return this.csrf.tokenFor(req, res);
    } catch {
      return undefined;
    }
  }
}
