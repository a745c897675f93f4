import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { requestLoggerParams } from './common/logging';
import { RateLimitGuard, rateLimitOptions } from './common/rate-limit.guard';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { RedisThrottlerStorage } from './redis/redis-throttler.storage';
import { RedisModule } from './redis/redis.module';
import { RedisService } from './redis/redis.service';
import { SessionModule } from './session/session.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The composition root: the only module that sees every other one. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        LoggerModule.forRootAsync(requestLoggerParams(config)),
        RedisModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, RedisService],
          useFactory: (appConfig: AppConfig, redis: RedisService) =>
            rateLimitOptions(appConfig, new RedisThrottlerStorage(redis)),
        }),
        SessionModule,
        AuthModule,
        UsersModule,
        WebhooksModule,
        HealthModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    };
  }
}
