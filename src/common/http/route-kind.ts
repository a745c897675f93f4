import type { ServerResponse } from 'node:http';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { resumeRequestLog } from '../observability/request-log';
import { ROUTE_KIND, RouteDeclaration, RouteKind } from './route-kind.decorator';

type Target = Parameters<Reflector['get']>[1];

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The kind of the route this request reached, once something that knows it has said so. */
      routeKind?: RouteKind;
      /** Its route asks for no request log line. */
      quietLog?: boolean;
    }
  }
}

const declarations = new WeakMap<Target, { controller: Target; declaration: RouteDeclaration | undefined }>();

/**
 * The kind a route declares: the handler's own declaration wins over its controller's. Undefined when
 * neither declares one; such a route is refused (see the guard), never guessed.
 */
export function routeDeclaration(
  reflector: Reflector,
  handler: Target,
  controller: Target,
): RouteDeclaration | undefined {
  // Decorators are fixed once the app is built: every later request reads the declaration from here.
  const known = declarations.get(handler);
  if (known && known.controller === controller) return known.declaration;
  const declaration =
    reflector.get<RouteDeclaration | undefined>(ROUTE_KIND, handler) ??
    reflector.get<RouteDeclaration | undefined>(ROUTE_KIND, controller);
  declarations.set(handler, { controller, declaration });
  return declaration;
}

/**
 * What the guards record once they know the matched route: its kind, whether it asks for no log
 * line, and (for a request the request log left to its route, `resumeRequestLog`) its line after all.
 */
export function markRoute(req: Request, res: ServerResponse, declared: RouteDeclaration): void {
  req.routeKind = declared.kind;
  req.quietLog = declared.quiet;
  resumeRequestLog(req, res);
}
