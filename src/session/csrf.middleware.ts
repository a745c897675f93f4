import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../common/app.errors';
import { CsrfService } from './csrf.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every state-changing browser request carries the session's CSRF token, or changes nothing (403). */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  constructor(private readonly csrf: CsrfService) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    // Bound to browser routes only: machine routes authenticate every request themselves (bearer
    // tokens, webhook signatures) and never read the session cookie.
    if (SAFE_METHODS.has(req.method)) return next();
    if (!this.csrf.isValid(req)) return next(new AppError('CSRF_INVALID', `${req.method} ${req.path}`));
    next();
  }
}
