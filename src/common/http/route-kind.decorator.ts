import { SetMetadata } from '@nestjs/common';

export const ROUTE_KIND = 'route:kind';

/**
 * `machine`: bearer tokens (or the route's own proof, like a webhook signature), JSON errors, never a
 * session or a CSRF check. `browser`: the session cookie, HTML errors, CSRF on every unsafe method.
 */
export type RouteKind = 'machine' | 'browser';

export interface RouteDeclaration {
  readonly kind: RouteKind;
  /** Probes and scrapes: no request log line. */
  readonly quiet: boolean;
}

/** An API route: bearer token, JSON errors, no session and no CSRF (a cookie never authenticates here). */
export const MachineRoute = (options: { quiet?: boolean } = {}): ClassDecorator & MethodDecorator =>
  SetMetadata<string, RouteDeclaration>(ROUTE_KIND, { kind: 'machine', quiet: options.quiet ?? false });

/** A page: the session cookie, HTML errors, and a CSRF token on every state-changing request. */
export const BrowserRoute = (): ClassDecorator & MethodDecorator =>
  SetMetadata<string, RouteDeclaration>(ROUTE_KIND, { kind: 'browser', quiet: false });
