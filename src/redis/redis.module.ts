import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { redactUrl } from '../config/redact';
import { Locks } from './locks';
import { MemoryLocks } from './memory-locks';
import { RedisLocks } from './redis-locks';
import { RedisService } from './redis.service';

@Global()
@Module({
  providers: [
    {
      provide: RedisService,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const redis = await RedisService.start(config);
        if (!redis.enabled) {
          new Logger('Redis').warn(
            `Redis at ${redactUrl(config.redis.url)} did not answer: using in-process stores (development only; ` +
              'state is lost on restart and not shared between instances). Start Redis and restart to use it.',
          );
        }
        return redis;
      },
    },
    {
      provide: Locks,
      inject: [RedisService],
      useFactory: (redis: RedisService): Locks => (redis.enabled ? new RedisLocks(redis) : new MemoryLocks()),
    },
  ],
  exports: [RedisService, Locks],
})
export class RedisModule {}
