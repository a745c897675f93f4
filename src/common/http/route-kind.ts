import { Reflector } from '@nestjs/core';
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
