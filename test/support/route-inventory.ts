import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { routePolicy, RoutePolicy } from '../../src/common/route-policy';

export interface RouteEntry {
  readonly route: string;
  readonly controller: string;
  readonly policy: RoutePolicy;
}

const join = (...parts: (string | string[] | undefined)[]) =>
  `/${parts.map((p) => (Array.isArray(p) ? p[0] : p) ?? '').join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/** Every route the application serves, with how it says it is authorized. */
export function routeInventory(app: INestApplication): RouteEntry[] {
  const reflector = app.get(Reflector);
  const entries: RouteEntry[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller) continue;
      const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        entries.push({
          route: `${method} ${join(prefix, path)}`,
          controller: controller.name,
          policy: routePolicy(reflector, handler as () => unknown, controller),
        });
      }
    }
  }
  return entries.sort((a, b) => a.route.localeCompare(b.route));
}
