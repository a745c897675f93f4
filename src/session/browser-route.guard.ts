import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../common/app.errors';
import { markRoute, routeDeclaration } from '../common/http/route-kind';
import { listsSessions } from './lists-sessions.decorator';
import { PageLocalsMiddleware } from './page-locals.middleware';
import { SessionMiddleware } from './session.middleware';

/**
 * The first global guard: it reads the kind the matched route declares and, for a browser route only,
 * runs what a page needs before anything else looks at the request: the session (with its timeouts
 * and the CSRF check) and the view's locals. Machine routes never touch the session store, however
 * their URL is spelled: the handler Express matched decides, not the URL. Running here instead of as
 * middleware bound to every browser path keeps those paths out of Express's router, which every
 * request (an API call or a probe too) would otherwise walk past.
 */
@Injectable()
export class BrowserRouteGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly session: SessionMiddleware,
    private readonly locals: PageLocalsMiddleware,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const declared = routeDeclaration(this.reflector, context.getHandler(), context.getClass());
    // An undeclared route is not served (the AuthGuard says the same; this guard runs first).
    if (!declared) throw new AppError('NOT_FOUND', 'the route declares no kind (@MachineRoute or @BrowserRoute)');
    // The request and response as Nest hands them to an HTTP guard (switchToHttp() makes three closures a call).
    const [req, res] = [context.getArgByIndex<Request>(0), context.getArgByIndex<Response>(1)];
    markRoute(req, res, declared);
    if (declared.kind === 'machine') return true;
    req.listsSessions = listsSessions(context.getHandler());
    return new Promise<boolean>((resolve, reject) => {
      this.session.use(
        req,
        res,
        settled(reject, () =>
          this.locals.use(
            req,
            res,
            settled(reject, () => resolve(true)),
          ),
        ),
      );
    });
  }
}

/** A middleware's `next`: on an error the guard fails with it (the one exception filter answers), else go on. */
function settled(reject: (error: unknown) => void, go: () => void): NextFunction {
  return (error?: unknown) => (error ? reject(error) : go());
}
