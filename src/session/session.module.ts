import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import type { Store } from 'express-session';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
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
import { BrowserRouteGuard } from './browser-route.guard';
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
    BrowserRouteGuard,
  ],
  exports: [SessionService, CsrfService, BrowserRouteGuard],
})
export class SessionModule implements OnModuleDestroy {
  constructor(@Inject(SESSION_STORE) private readonly store: Store) {}

  // Sessions, CSRF and the pages' view locals reach browser routes through BrowserRouteGuard (the
  // first global guard), by the kind the matched route declares: no middleware is bound to paths.

  onModuleDestroy(): void {
    // The in-process store sweeps expired sessions on a timer; stop it with the app.
    (this.store as EndedSessionGuardStore).stopInterval();
  }
}
