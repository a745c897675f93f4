import { Reflector } from '@nestjs/core';
import { IS_AUTHENTICATED } from './authenticated.decorator';
import { IS_PUBLIC } from './public.decorator';
import { ROLES } from './roles.decorator';

export type RoutePolicy =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'roles'; readonly roles: readonly string[] }
  | { readonly kind: 'undeclared' };

type Target = Parameters<Reflector['get']>[1];

/**
 * How a route says it is authorized. The handler's own declaration wins over its controller's; on
 * one target, roles win over public, so a stray @Public() never widens an @Roles() route.
 */
export function routePolicy(reflector: Reflector, handler: Target, controller: Target): RoutePolicy {
  // Decorators are fixed once the app is built: every later request reads the policy from here.
  const known = policies.get(handler);
  if (known && known.controller === controller) return known.policy;
  const policy = declaredOn(reflector, handler) ?? declaredOn(reflector, controller) ?? { kind: 'undeclared' };
  policies.set(handler, { controller, policy });
  return policy;
}

const policies = new WeakMap<Target, { controller: Target; policy: RoutePolicy }>();

function declaredOn(reflector: Reflector, target: Target): RoutePolicy | undefined {
  const roles = reflector.get<string[] | undefined>(ROLES, target);
  if (roles && roles.length > 0) return { kind: 'roles', roles };
  if (reflector.get<boolean | undefined>(IS_PUBLIC, target)) return { kind: 'public' };
  if (reflector.get<boolean | undefined>(IS_AUTHENTICATED, target)) return { kind: 'authenticated' };
  return undefined;
}
