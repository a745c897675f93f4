import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { AppExceptionFilter } from './http/app-exception.filter';
import { Clock, SystemClock } from './clock';
import { requestIdOnly } from './observability/logging';
import { MetricsService } from './observability/metrics.service';
import { RouteKinds } from './http/route-kinds.service';
import { PageHeaders } from './http/security-headers';
import { ShutdownState } from './shutdown-state';
import { AppValidationPipe } from './http/validation.pipe';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: APP_FILTER, useClass: AppExceptionFilter },
    // Every DTO of every module that comes with these modules is validated, an adopter's too.
    { provide: APP_PIPE, useClass: AppValidationPipe },
    MetricsService,
    PageHeaders,
    RouteKinds,
    ShutdownState,
  ],
  exports: [Clock, MetricsService, PageHeaders, RouteKinds, ShutdownState],
})
export class CommonModule implements NestModule {
  constructor(private readonly kinds: RouteKinds) {}

  /** Quiet routes run without the request logger (see `requestLoggerParams`) but keep their request id. */
  configure(consumer: MiddlewareConsumer): void {
    const quiet = this.kinds.quietRoutes();
    if (quiet.length > 0) consumer.apply(requestIdOnly).forRoutes(...quiet);
  }
}
