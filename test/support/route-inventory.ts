import { INestApplication, RequestMethod } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteKind } from '../../src/common/http/route-kind.decorator';
import { RouteKinds } from '../../src/common/http/route-kinds.service';
import { routePolicy, RoutePolicy } from '../../src/common/route-policy';

export interface RouteEntry {
  readonly route: string;
  readonly controller: string;
  readonly policy: RoutePolicy;
  /** `undeclared` when neither the handler nor its controller declares a route kind. */
  readonly kind: RouteKind | 'undeclared';
}

/** Every route the application serves, with how it says it is authorized and what kind it is. */
export function routeInventory(app: INestApplication): RouteEntry[] {
  const reflector = app.get(Reflector);
  return app
    .get(RouteKinds)
    .routes()
    .map((r) => ({
      route: `${RequestMethod[r.method]} ${r.path}`,
      controller: r.controller.name,
      policy: routePolicy(reflector, r.handler as () => unknown, r.controller),
      kind: r.declaration?.kind ?? ('undeclared' as const),
    }))
    .sort((a, b) => a.route.localeCompare(b.route));
}
