import {
  DynamicModule,
  Inject,
  InjectionToken,
  Logger,
  Module,
  ModuleMetadata,
  OnApplicationBootstrap,
  OptionalFactoryDependency,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { requestLoggerParams } from './common/observability/logging';
import { RateLimitGuard, rateLimitOptions } from './common/http/rate-limit.guard';
import { AppConfig } from './config/app-config';
import { configFromSource } from './config/config-from-process';
import { ConfigSource } from './config/config-options';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { RedisThrottlerStorage } from './redis/redis-throttler.storage';
import { RedisModule } from './redis/redis.module';
import { RedisService } from './redis/redis.service';
import { BrowserRouteGuard } from './session/browser-route.guard';
import { SessionModule } from './session/session.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { FusionAuthEventLogService } from './fusionauth/fusionauth-event-log.service';
import { FusionAuthModule } from './fusionauth/fusionauth.module';

/** What the module mounts besides login, sessions, the guard, webhooks and health. */
export interface FusionAuthGuardFeatures {
  /** The home page (`/`), `/account`, `/account/password`, `/auth/register` and `/admin/users` (default false). */
  readonly pages?: boolean;
  /** `GET /api/me` and the admin API under `/api/admin/users` (default false). */
  readonly api?: boolean;
}

/** `forRoot`: where the configuration comes from (see ConfigOptions) and what to mount. */
export interface FusionAuthGuardOptions extends ConfigSource, FusionAuthGuardFeatures {}

/** `forRootAsync`: the configuration made by a factory with injected providers; features are known up front. */
export interface FusionAuthGuardAsyncOptions extends FusionAuthGuardFeatures {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Nest's own useFactory: typed by `inject`.
  readonly useFactory: (...args: any[]) => ConfigSource | Promise<ConfigSource>;
}

const CONFIG_WARNINGS = Symbol('FusionAuthGuard config warnings');

/** What the service's main.ts logs itself: an app of its own gets the same warnings at start. */
class ConfigWarnings implements OnApplicationBootstrap {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    for (const warning of this.config.warnings) new Logger('FusionAuthGuard').warn(warning);
  }
}

/**
 * The whole of fusionauth-guard as one Nest module: configuration, Redis, sessions, the hosted and
 * password logins, the global guard (every route closed unless declared otherwise), rate limits,
 * webhooks into the revocation list, health and metrics, and on request the pages and the API.
 * Configuration goes through the same validation whether it comes from code or the environment.
 */
@Module({})
export class FusionAuthGuardModule {
  /** Configured now: a bad value throws the ConfigError naming every bad variable. */
  static forRoot(options: FusionAuthGuardOptions = {}): DynamicModule {
    const module = FusionAuthGuardModule.withConfig(configFromSource(options), options);
    return {
      ...module,
      providers: [...(module.providers ?? []), { provide: CONFIG_WARNINGS, useClass: ConfigWarnings }],
    };
  }

  /** Configured by a factory (an adopter's own config service, secrets fetched at start). */
  static forRootAsync(options: FusionAuthGuardAsyncOptions): DynamicModule {
    const config = ConfigModule.forRootAsync({
      imports: options.imports,
      inject: options.inject,
      useFactory: async (...args: unknown[]) => configFromSource(await options.useFactory(...args)),
    });
    return {
      ...FusionAuthGuardModule.assemble(config, LoggerModule.forRootAsync(requestLoggerParams()), options),
      providers: [...FusionAuthGuardModule.providers(), { provide: CONFIG_WARNINGS, useClass: ConfigWarnings }],
    };
  }

  /** With a configuration already loaded (the service's main.ts: it reports problems and exits itself). */
  static withConfig(config: AppConfig, features: FusionAuthGuardFeatures = {}): DynamicModule {
    return {
      ...FusionAuthGuardModule.assemble(
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync(requestLoggerParams()),
        features,
      ),
      providers: FusionAuthGuardModule.providers(),
    };
  }

  private static assemble(
    config: DynamicModule,
    logger: DynamicModule,
    features: FusionAuthGuardFeatures,
  ): Pick<DynamicModule, 'module' | 'imports'> {
    return {
      module: FusionAuthGuardModule,
      imports: [
        config,
        CommonModule,
        logger,
        RedisModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, RedisService],
          useFactory: (appConfig: AppConfig, redis: RedisService) =>
            rateLimitOptions(appConfig, new RedisThrottlerStorage(redis)),
        }),
        // Express tries routes in the order they are registered, which is this order: the machine
        // routes (probes, the API, webhooks) first, so the most frequent requests match early.
        HealthModule,
        UsersModule.with({ pages: features.pages ?? false, api: features.api ?? false }),
        // Missed revocations are replayed from FusionAuth's Webhook Event Log (webhooks/ may not import fusionauth/).
        WebhooksModule.forRoot({ imports: [FusionAuthModule], source: FusionAuthEventLogService }),
        SessionModule,
        AuthModule,
      ],
    };
  }

  private static providers(): NonNullable<DynamicModule['providers']> {
    // In this order: the route's kind (and a browser route's session) first, then the rate limits,
    // then AuthModule's AuthGuard.
    return [
      { provide: APP_GUARD, useExisting: BrowserRouteGuard },
      { provide: APP_GUARD, useClass: RateLimitGuard },
    ];
  }
}
