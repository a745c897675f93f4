import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { RateLimitedError } from './app.errors';

const RATE_LIMIT = 'rate-limit';
export type RateLimitName = 'login' | 'webhook';

/** Counts this route's requests per client IP against the named limit (RATE_LIMIT_LOGIN, RATE_LIMIT_WEBHOOK). */
export const RateLimit = (name: RateLimitName): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT, name);

function limitOf(context: ExecutionContext): RateLimitName | undefined {
  return (Reflect.getMetadata(RATE_LIMIT, context.getHandler()) ??
    Reflect.getMetadata(RATE_LIMIT, context.getClass())) as RateLimitName | undefined;
}

/** Two limits, each applied only to the routes that name it; everything else is never counted. */
export function rateLimitOptions(config: AppConfig, storage: ThrottlerStorage): ThrottlerModuleOptions {
  const throttler = (name: RateLimitName) => ({
    name,
    limit: config.rateLimits[name].limit,
    ttl: config.rateLimits[name].windowS * 1000,
    skipIf: (context: ExecutionContext) => limitOf(context) !== name,
  });
  return {
    throttlers: [throttler('login'), throttler('webhook')],
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
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(limitOf(context) === undefined);
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(detail.timeToBlockExpire);
  }
}
