import { MiddlewareConsumer, Module, NestModule, OnModuleDestroy, Inject } from '@nestjs/common';
import type { Store } from 'express-session';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { RouteKinds } from '../common/http/route-kinds.service';
import { RedisService } from '../redis/redis.service';
import { MemorySessionIndex } from './memory-session-index';
import { RedisSessionIndex } from './redis-session-index';
import { IDP_SESSION_INDEX, SessionIndex } from './session-index';
import { SessionMiddleware } from './session.middleware';
import { createSessionStore, SESSION_STORE, sessionStoreKind } from './session-store';
import { SessionService } from './session.service';
import { CsrfMiddleware } from './csrf.middleware';
import { CsrfService } from './csrf.service';
import { PageLocalsMiddleware } from './page-locals.middleware';
import { EndedSessionGuardStore } from './ended-session-guard.store';
import { MemorySessionTokenStore } from './memory-session-token.store';
import { RedisSessionTokenStore } from './redis-session-token.store';
import { SessionTokenStore } from './session-tokens';

@Module({
  providers: [
    {
      provide: SESSION_STORE,
      inject: [AppConfig, RedisService, Clock, SessionTokenStore],
      useFactory: (config: AppConfig, redis: RedisService, clock: Clock, tokens: SessionTokenStore): Store =>
        new EndedSessionGuardStore(createSessionStore(config, redis, clock), tokens),
    },
    {
      provide: SessionIndex,
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService): SessionIndex =>
        sessionStoreKind(config, redis) === 'redis' ? new RedisSessionIndex(redis) : new MemorySessionIndex(),
    },
    {
      provide: IDP_SESSION_INDEX,
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService): SessionIndex =>
        sessionStoreKind(config, redis) === 'redis'
          ? new RedisSessionIndex(redis, 'idp-sessions')
          : new MemorySessionIndex(),
    },
    {
      provide: SessionTokenStore,
      inject: [AppConfig, RedisService, Clock],
      useFactory: (config: AppConfig, redis: RedisService, clock: Clock): SessionTokenStore =>
        sessionStoreKind(config, redis) === 'redis'
          ? new RedisSessionTokenStore(redis)
          : new MemorySessionTokenStore(clock),
    },
    SessionService,
    SessionMiddleware,
    CsrfService,
    CsrfMiddleware,
    PageLocalsMiddleware,
  ],
  exports: [SessionService, CsrfService],
})
export class SessionModule implements NestModule, OnModuleDestroy {
  constructor(
    @Inject(SESSION_STORE) private readonly store: Store,
    private readonly kinds: RouteKinds,
  ) {}

  /** Sessions, CSRF and the pages' view locals for the routes that declare themselves browser routes, and no others. */
  configure(consumer: MiddlewareConsumer): void {
    const browser = this.kinds.targets('browser');
    // SessionMiddleware ends with the CsrfMiddleware check: one layer per route in Express's router.
    if (browser.length > 0) consumer.apply(SessionMiddleware, PageLocalsMiddleware).forRoutes(...browser);
  }

  onModuleDestroy(): void {
    // The in-process store sweeps expired sessions on a timer; stop it with the app.
    (this.store as EndedSessionGuardStore).stopInterval();
  }
}
