import { Injectable, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { RouteDeclaration, RouteKind } from './route-kind.decorator';
import { routeDeclaration } from './route-kind';

export interface DeclaredRoute {
  readonly method: RequestMethod;
  /** As the controller and handler give it, e.g. `/api/admin/users/:userId`. */
  readonly path: string;
  readonly controller: Type<unknown>;
  readonly handler: object;
  readonly declaration?: RouteDeclaration;
}

interface RouteTable {
  readonly routes: readonly DeclaredRoute[];
  /** `/health/live`: the exact paths of quiet GET routes without parameters. */
  readonly quietGetPaths: ReadonlySet<string>;
  /** First path segments (lower case) that only machine routes use, like `api`. */
  readonly machineOnly: ReadonlySet<string>;
}

/**
 * Every route the application registered, with the kind it declares. What a request gets is decided
 * by the handler Express matched (the guards read its declaration), never by its URL.
 */
@Injectable()
export class RouteKinds {
  private table?: RouteTable;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): readonly DeclaredRoute[] {
    return this.load().routes;
  }

  /**
   * Whether this request names, spelled exactly as declared (no query, no other case or slash), a
   * quiet GET route, such as a probe: the request log binds nothing to it up front. Only a hint:
   * the matched handler's declaration still decides whether its line is written (`resumeRequestLog`),
   * and under a global prefix, or any path the table does not know, the answer is simply no.
   */
  isQuietRequest(method: string | undefined, url: string | undefined): boolean {
    return method === 'GET' && url !== undefined && this.load().quietGetPaths.has(url);
  }

  /**
   * How to answer a request: as its route's kind once the guard (or a browser route's session
   * middleware) has said so. A request that reached no route (a 404, a body that failed to parse)
   * is answered in JSON under a first path segment that only machine routes use, else as a page:
   * that decides the format of an error and nothing else (no handler, session or login runs).
   */
  of(req: Request): RouteKind {
    if (req.routeKind) return req.routeKind;
    return this.load().machineOnly.has(firstSegment(req.originalUrl ?? req.url)) ? 'machine' : 'browser';
  }

  private load(): RouteTable {
    this.table ??= this.build();
    return this.table;
  }

  private build(): RouteTable {
    const controllers = new Set<Type<unknown>>();
    for (const wrapper of this.discovery.getControllers()) {
      if (typeof wrapper.metatype === 'function') controllers.add(wrapper.metatype as Type<unknown>);
    }
    const routes = [...controllers].flatMap((controller) => this.routesOf(controller));
    const kinds = new Map<string, Set<RouteKind>>();
    for (const route of routes) {
      const segment = firstSegment(route.path);
      if (segment.startsWith(':') || !route.declaration) continue;
      kinds.set(segment, (kinds.get(segment) ?? new Set()).add(route.declaration.kind));
    }
    const machineOnly = new Set([...kinds].filter(([, k]) => k.size === 1 && k.has('machine')).map(([name]) => name));
    const quietGetPaths = new Set(
      routes
        .filter((r) => r.declaration?.quiet && r.method === RequestMethod.GET && !/[:*?(]/.test(r.path))
        .map((r) => r.path),
    );
    return { routes, machineOnly, quietGetPaths };
  }

  private routesOf(controller: Type<unknown>): DeclaredRoute[] {
    const prototype = controller.prototype as Record<string, unknown>;
    const prefixes = asArray(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      if (typeof handler !== 'function') return [];
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) return [];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      const declaration = routeDeclaration(this.reflector, handler, controller);
      return prefixes.flatMap((prefix) =>
        asArray(paths).map((path) => ({ method, path: joinPath(prefix, path), controller, handler, declaration })),
      );
    });
  }
}

const asArray = (value: string | string[] | undefined): string[] =>
  value === undefined ? [''] : Array.isArray(value) ? value : [value];

const joinPath = (...parts: string[]): string => `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/** `/API/me?x=1` → `api`. */
function firstSegment(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return (path.split('/')[1] ?? '').toLowerCase();
}
