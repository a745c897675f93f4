import { Global, Module } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { AppExceptionFilter } from './app-exception.filter';
import { Clock, SystemClock } from './clock';
import { MetricsService } from './metrics.service';
import { RouteKinds } from './route-kinds.service';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: APP_FILTER, useClass: AppExceptionFilter },
    MetricsService,
    RouteKinds,
    ShutdownState,
  ],
  exports: [Clock, MetricsService, RouteKinds, ShutdownState],
})
export class CommonModule {}
