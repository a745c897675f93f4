import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { RateLimitedError } from '../app.errors';

const RATE_LIMIT = 'rate-limit';
export type RateLimitName = 'login' | 'webhook' | 'passwordChange';

/** Limits counted per signed-in user (provider and id) instead of per client IP. */
const PER_USER: ReadonlySet<RateLimitName> = new Set(['passwordChange']);

/**
 * Counts this route's requests against the named limits (RATE_LIMIT_LOGIN, RATE_LIMIT_WEBHOOK per
 * client IP; RATE_LIMIT_PASSWORD_CHANGE per signed-in user): each one named must allow the request.
 */
export const RateLimit = (...names: [RateLimitName, ...RateLimitName[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT, names);

/** Decorators are fixed once the app is built: each route's limits are read once. */
const limitsByHandler = new WeakMap<object, { controller: object; limits: readonly RateLimitName[] }>();

function limitsOf(context: ExecutionContext): readonly RateLimitName[] {
  const handler = context.getHandler();
  const controller = context.getClass();
  const known = limitsByHandler.get(handler);
  // A handler inherited by two controllers is looked up again for the other one (its class may differ).
  if (known && known.controller === controller) return known.limits;
  const limits = (Reflect.getMetadata(RATE_LIMIT, handler) ??
    Reflect.getMetadata(RATE_LIMIT, controller) ??
    []) as readonly RateLimitName[];
  limitsByHandler.set(handler, { controller, limits });
  return limits;
}

/** Whose budget a per-user limit spends: the session's user, named with their provider. */
function userOf(context: ExecutionContext): string | undefined {
  const req = context.switchToHttp().getRequest<Request>();
  const user = req.session?.user;
  return user ? `${req.session.auth?.provider ?? user.provider ?? ''}:${user.id}` : undefined;
}

/** Three limits, each applied only to the routes that name it; everything else is never counted. */
export function rateLimitOptions(config: AppConfig, storage: ThrottlerStorage): ThrottlerModuleOptions {
  const throttler = (name: RateLimitName) => ({
    name,
    limit: config.rateLimits[name].limit,
    ttl: config.rateLimits[name].windowS * 1000,
    skipIf: (context: ExecutionContext) =>
      !limitsOf(context).includes(name) || (PER_USER.has(name) && userOf(context) === undefined),
    ...(PER_USER.has(name) ? { getTracker: (_req: unknown, context: ExecutionContext) => userOf(context)! } : {}),
  });
  return {
    throttlers: [throttler('login'), throttler('webhook'), throttler('passwordChange')],
    storage,
    setHeaders: false,
    // A readable key instead of the default SHA-256 of the same parts: no hash per request, and an
    // operator can see in Redis which route and address a counter belongs to.
    generateKey: (context, tracker) => `${context.getClass().name}.${context.getHandler().name}:${tracker}`,
  };
}

/** @nestjs/throttler's guard, answering through the one exception filter: 429 with Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /**
   * A route that names no limit is not counted: answered at once, without the throttler's lookups,
   * and synchronously (Nest awaits nothing for a guard that answers a boolean; the throttler's own
   * signature says Promise, hence the cast).
   */
  override canActivate(context: ExecutionContext): Promise<boolean> {
    if (limitsOf(context).length === 0) return true as unknown as Promise<boolean>;
    return super.canActivate(context);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(limitsOf(context).length === 0);
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(detail.timeToBlockExpire);
  }
}
